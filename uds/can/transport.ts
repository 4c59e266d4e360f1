// The one interface every CAN transport implements (SocketCAN, the in-memory bus), so ISO-TP does not care which.
import type { CanFrame } from './frame.ts';

/** Accepts a frame when `(frame.id & mask) === (id & mask)` and, if given, the identifier kind matches. */
export interface CanIdFilter {
  id: number;
  mask: number;
  extended?: boolean;
}

export interface CanTransport {
  readonly name: string;
  /** Resolves when the frame is on the bus (or the OS queue); rejects with a clear error otherwise. */
  send(frame: CanFrame): Promise<void>;
  /** Sends frames in this order, back to back, as a controller's transmit queue takes them; resolves when the
   * last is on the bus (or the OS queue). One call for a block of ISO-TP consecutive frames, not one per frame. */
  sendBatch(frames: readonly CanFrame[]): Promise<void>;
  /** `null` filters receive every frame. Returns the unsubscribe function. */
  subscribe(filter: CanIdFilter[] | null, listener: (frame: CanFrame) => void): () => void;
  onError(listener: (err: Error) => void): () => void;
  close(): Promise<void>;
}

export function exactIdFilter(id: number, extended: boolean): CanIdFilter {
  return { id, mask: extended ? 0x1fffffff : 0x7ff, extended };
}

export function frameMatches(frame: CanFrame, filters: readonly CanIdFilter[] | null): boolean {
  if (filters === null) return true;
  // A loop, not filters.some(): this runs for every frame and every subscription.
  for (const f of filters) {
    if ((frame.id & f.mask) === (f.id & f.mask) && (f.extended === undefined || f.extended === frame.extended))
      return true;
  }
  return false;
}
