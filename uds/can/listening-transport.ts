// What every CAN transport does the same way: a name, its subscribers, and refusing to send once closed.
import type { CanFrame } from './frame.ts';
import { FrameListeners } from './listeners.ts';
import type { CanIdFilter, CanTransport } from './transport.ts';

export abstract class ListeningCanTransport implements CanTransport {
  protected readonly listeners = new FrameListeners();
  protected closed = false;

  constructor(readonly name: string) {}

  abstract sendBatch(frames: readonly CanFrame[]): Promise<void>;
  abstract close(): Promise<void>;

  send(frame: CanFrame): Promise<void> {
    return this.sendBatch([frame]);
  }

  subscribe(filter: CanIdFilter[] | null, listener: (frame: CanFrame) => void): () => void {
    return this.listeners.subscribe(filter, listener);
  }

  onError(listener: (err: Error) => void): () => void {
    return this.listeners.onError(listener);
  }

  protected assertOpen(): void {
    if (this.closed) throw new Error(`CAN transport ${this.name} is closed`);
  }
}
