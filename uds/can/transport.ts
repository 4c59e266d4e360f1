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
  return filters.some(
    (f) => (frame.id & f.mask) === (f.id & f.mask) && (f.extended === undefined || f.extended === frame.extended),
  );
}
