// An in-process CAN bus for tests, benchmarks and hosts without SocketCAN. Like a real bus it is asynchronous
// (a frame arrives in a later event-loop turn, never inside send()), keeps the order of frames and does not
// echo a frame to the transport that sent it. With a bit rate it also takes as long as a real bus would.
import { callAt } from './call-at.ts';
import { validateCanFrame, type CanFrame } from './frame.ts';
import { ListeningCanTransport } from './listening-transport.ts';
import type { CanTransport } from './transport.ts';

/** Frames one transport handed over in one call; `resolve` settles that call once the last is delivered. */
interface Batch {
  frames: readonly CanFrame[];
  from: MemoryCanTransport;
  resolve: () => void;
}

/** Bus time a sender may queue ahead: more than a loaded host delays a timer, so the bus does not idle while
 * the sender waits to queue more (a controller queue plus the kernel's, ~80 classical frames at 500 kbit/s). */
const TX_QUEUE_MS = 20;

interface TimedFrame {
  frame: CanFrame;
  from: MemoryCanTransport;
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
  private queue: Batch[] = [];
  private scheduled = false;
  private busFreeAtMs = 0;
  private timed: TimedFrame[] = [];
  /** Index of the next frame of `timed` to deliver (frames before it are delivered; compacted now and then). */
  private timedHead = 0;
  /** Frames carried since the bus was created (for tests and benchmarks). */
  framesCarried = 0;
  /** With a bit rate: the bus time the frames sent so far take in the model, ms (for benchmarks). */
  modelBusyMs = 0;

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

  /** @internal used by MemoryCanTransport: the frames arrive together, in one later event-loop turn. */
  enqueue(frames: readonly CanFrame[], from: MemoryCanTransport): Promise<void> {
    if (this.options.bitrate !== undefined) return this.enqueueTimed(frames, from, this.options.bitrate);
    return new Promise((resolve) => {
      this.queue.push({ frames, from, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.drain());
      }
    });
  }

  /** Each frame occupies the bus after the frames before it; it arrives when its transmission ends. */
  private enqueueTimed(frames: readonly CanFrame[], from: MemoryCanTransport, bitrate: number): Promise<void> {
    const dataBitrate = this.options.dataBitrate ?? bitrate;
    const wasIdle = this.timedHead === this.timed.length;
    this.busFreeAtMs = Math.max(performance.now(), this.busFreeAtMs);
    for (const frame of frames) {
      const bits = frameBits(frame);
      const durationMs = (bits.arbitration / bitrate + bits.data / dataBitrate) * 1000;
      this.modelBusyMs += durationMs;
      this.busFreeAtMs += durationMs;
      this.timed.push({ frame, from, arrivalMs: this.busFreeAtMs });
    }
    if (wasIdle) this.scheduleTimed();
    // Like a controller's transmit queue: send() returns while less than TX_QUEUE_MS of frames wait for
    // the bus, and holds the sender back beyond that (backpressure without idling the bus).
    const waitMs = this.busFreeAtMs - TX_QUEUE_MS - performance.now();
    return waitMs <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, waitMs));
  }

  /** One timer for the head of the FIFO keeps the order. While more frames wait, setTimeout's millisecond
   * granularity is fine: frames due within the same millisecond arrive together, still in order, and the
   * bus stays busy. The last frame queued may be one a node waits for to answer (a first frame, a flow
   * control, a request's end): it arrives on time to the microsecond, or each exchange would idle the bus
   * for up to a millisecond more than the model. */
  private scheduleTimed(): void {
    const head = this.timed[this.timedHead];
    if (!head) {
      this.timed = [];
      this.timedHead = 0;
      return;
    }
    if (this.timedHead === this.timed.length - 1) callAt(head.arrivalMs, this.deliverDue);
    else setTimeout(this.deliverDue, Math.max(0, head.arrivalMs - performance.now()));
  }

  private readonly deliverDue = (): void => {
    const limit = performance.now() + 0.5;
    const timed = this.timed;
    let i = this.timedHead;
    do {
      const { frame, from } = timed[i] as TimedFrame;
      this.deliverOne(frame, from);
      i++;
    } while (i < timed.length && (timed[i] as TimedFrame).arrivalMs <= limit);
    this.timedHead = i;
    if (i > 4096 && i * 2 > timed.length) {
      this.timed = timed.slice(i);
      this.timedHead = 0;
    }
    this.scheduleTimed();
  };

  private deliverOne(frame: CanFrame, from: MemoryCanTransport): void {
    this.framesCarried++;
    for (const member of this.members) if (member !== from) member.receive(frame);
  }

  /** @internal */
  detach(transport: MemoryCanTransport): void {
    this.members.delete(transport);
  }

  private drain(): void {
    this.scheduled = false;
    const batches = this.queue;
    this.queue = [];
    for (const { frames, from, resolve } of batches) {
      for (const frame of frames) this.deliverOne(frame, from);
      resolve();
    }
  }
}

class MemoryCanTransport extends ListeningCanTransport {
  constructor(
    name: string,
    private readonly bus: MemoryCanBus,
  ) {
    super(name);
  }

  async sendBatch(frames: readonly CanFrame[]): Promise<void> {
    this.assertOpen();
    // Copy: the sender may reuse its buffers, a real bus would not see that.
    const copies = frames.map((frame) => {
      validateCanFrame(frame);
      return { id: frame.id, extended: frame.extended, fd: frame.fd, data: new Uint8Array(frame.data) };
    });
    await this.bus.enqueue(copies, this);
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
