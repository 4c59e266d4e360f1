// An in-process CAN bus for tests, benchmarks and hosts without SocketCAN. Like a real bus it is asynchronous
// (a frame arrives in a later event-loop turn, never inside send()), keeps the order of frames and does not
// echo a frame to the transport that sent it. With a bit rate it also takes as long as a real bus would.
import { validateCanFrame, type CanFrame } from './frame.ts';
import { FrameListeners } from './listeners.ts';
import type { CanIdFilter, CanTransport } from './transport.ts';

interface Pending {
  frame: CanFrame;
  from: MemoryCanTransport;
  resolve: () => void;
}

/** Bus time a sender may queue ahead (a few frames; more than the timer granularity so the bus never idles). */
const TX_QUEUE_MS = 4;

interface TimedPending extends Pending {
  arrivalMs: number;
}

export interface MemoryCanBusOptions {
  /** Simulated bit rate (bit/s), e.g. 500_000; frames then arrive after their transmission time.
   * Default: no bit rate, frames arrive in the next event-loop turn. */
  bitrate?: number;
  /** Data-phase bit rate for CAN FD frames. Default: the same as bitrate (no bit-rate switch). */
  dataBitrate?: number;
}

/** Approximate bits on the wire: frame overhead, data, ~10 % stuffing, 3-bit interframe space. */
export function frameBits(frame: CanFrame): { arbitration: number; data: number } {
  const header = frame.extended ? 67 : 47;
  const crcAndData = frame.data.length * 8 + (frame.fd ? (frame.data.length > 16 ? 21 : 17) + 8 : 0);
  return { arbitration: Math.ceil(header * 1.1) + 3, data: Math.ceil(crcAndData * 1.1) };
}

export class MemoryCanBus {
  private readonly members = new Set<MemoryCanTransport>();
  private queue: Pending[] = [];
  private scheduled = false;
  private busFreeAtMs = 0;
  private timed: TimedPending[] = [];
  /** Frames carried since the bus was created (for tests and benchmarks). */
  framesCarried = 0;

  constructor(private readonly options: MemoryCanBusOptions = {}) {
    for (const [what, v] of Object.entries(options)) {
      if (v !== undefined && (!Number.isFinite(v) || v <= 0))
        throw new RangeError(`${what} must be a positive bit/s value`);
    }
  }

  attach(name: string): CanTransport {
    const transport = new MemoryCanTransport(name, this);
    this.members.add(transport);
    return transport;
  }

  /** @internal used by MemoryCanTransport */
  enqueue(frame: CanFrame, from: MemoryCanTransport): Promise<void> {
    if (this.options.bitrate !== undefined) return this.enqueueTimed(frame, from, this.options.bitrate);
    return new Promise((resolve) => {
      this.queue.push({ frame, from, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.drain());
      }
    });
  }

  /** The frame occupies the bus after the frames before it; it arrives when its transmission ends. */
  private enqueueTimed(frame: CanFrame, from: MemoryCanTransport, bitrate: number): Promise<void> {
    const bits = frameBits(frame);
    const durationMs = (bits.arbitration / bitrate + bits.data / (this.options.dataBitrate ?? bitrate)) * 1000;
    this.busFreeAtMs = Math.max(performance.now(), this.busFreeAtMs) + durationMs;
    const arrivalMs = this.busFreeAtMs;
    this.timed.push({ frame, from, resolve: () => undefined, arrivalMs });
    if (this.timed.length === 1) this.scheduleTimed();
    // Like a controller's transmit queue: send() returns while less than TX_QUEUE_MS of frames wait for
    // the bus, and holds the sender back beyond that (backpressure without idling the bus).
    const waitMs = arrivalMs - TX_QUEUE_MS - performance.now();
    return waitMs <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, waitMs));
  }

  /** One timer for the head of the FIFO keeps the order; setTimeout's millisecond granularity means
   * frames due within the same millisecond arrive together, still in order. */
  private scheduleTimed(): void {
    const head = this.timed[0];
    if (!head) return;
    setTimeout(
      () => {
        const now = performance.now();
        let due = 0;
        while (due < this.timed.length && (this.timed[due] as TimedPending).arrivalMs <= now + 0.5) due++;
        for (const pending of this.timed.splice(0, Math.max(due, 1))) this.deliverOne(pending);
        this.scheduleTimed();
      },
      Math.max(0, head.arrivalMs - performance.now()),
    );
  }

  private deliverOne({ frame, from, resolve }: Pending): void {
    this.framesCarried++;
    for (const member of this.members) if (member !== from) member.receive(frame);
    resolve();
  }

  /** @internal */
  detach(transport: MemoryCanTransport): void {
    this.members.delete(transport);
  }

  private drain(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    for (const pending of batch) this.deliverOne(pending);
  }
}

class MemoryCanTransport implements CanTransport {
  private readonly listeners = new FrameListeners();
  private closed = false;

  constructor(
    readonly name: string,
    private readonly bus: MemoryCanBus,
  ) {}

  async send(frame: CanFrame): Promise<void> {
    if (this.closed) throw new Error(`CAN transport ${this.name} is closed`);
    validateCanFrame(frame);
    // Copy: the sender may reuse its buffer, a real bus would not see that.
    await this.bus.enqueue({ ...frame, data: Uint8Array.from(frame.data) }, this);
  }

  subscribe(filter: CanIdFilter[] | null, listener: (frame: CanFrame) => void): () => void {
    return this.listeners.subscribe(filter, listener);
  }

  onError(listener: (err: Error) => void): () => void {
    return this.listeners.onError(listener);
  }

  receive(frame: CanFrame): void {
    if (!this.closed) this.listeners.deliver(frame);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.bus.detach(this);
    this.listeners.clear();
  }
}
