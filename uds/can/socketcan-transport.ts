// CanTransport over Linux SocketCAN (the `socketcan` 4.0.7 native addon). Works wherever the kernel has
// AF_CAN (inside user-mode Linux here); on this host kernel opening a channel fails with a clear error.
import { validateCanFrame, type CanFrame } from './frame.ts';
import { ListeningCanTransport } from './listening-transport.ts';
import type { CanIdFilter, CanTransport } from './transport.ts';

interface RawMessage {
  id: number;
  ext?: boolean;
  rtr?: boolean;
  err?: boolean;
  data: Buffer;
}

interface RawChannel {
  addListener(event: 'onMessage' | 'onStopped', cb: (msg: RawMessage) => void): void;
  start(): void;
  stop(): void;
  setRxFilters(filters: KernelFilter[]): void;
  send(msg: { id: number; ext: boolean; rtr: boolean; data: Buffer }): number;
  sendFD(msg: { id: number; ext: boolean; rtr: boolean; data: Buffer }): number;
}

/** struct can_filter: the kernel passes a frame when (can_id & mask) === (id & mask), or the opposite if inverted. */
interface KernelFilter {
  id: number;
  mask: number;
  invert?: boolean;
}

interface SocketCanModule {
  createRawChannel(name: string, timestamps?: boolean): RawChannel;
}

export class SocketCanUnavailableError extends Error {
  override readonly name = 'SocketCanUnavailableError';
}

export interface SocketCanOptions {
  /** How long send() retries while the kernel queue is full (ENOBUFS) before it fails. Default 1000 ms. */
  sendTimeoutMs?: number;
}

/** The addon as this transport uses it; its own typings declare send() void, while the binding returns a count. */
function isSocketCanModule(mod: unknown): mod is SocketCanModule {
  return (
    typeof mod === 'object' && mod !== null && 'createRawChannel' in mod && typeof mod.createRawChannel === 'function'
  );
}

async function loadSocketCan(): Promise<SocketCanModule> {
  let mod: unknown;
  try {
    mod = await import('socketcan');
  } catch (err) {
    throw new SocketCanUnavailableError(`the socketcan addon does not load: ${(err as Error).message}`);
  }
  // Loaded as a CommonJS module, its exports are named exports or sit on `default`.
  const candidates = [mod, typeof mod === 'object' && mod !== null && 'default' in mod ? mod.default : undefined];
  const found = candidates.find(isSocketCanModule);
  if (!found) throw new SocketCanUnavailableError('the socketcan addon has no createRawChannel');
  return found;
}

export async function openSocketCan(iface: string, options: SocketCanOptions = {}): Promise<CanTransport> {
  if (!/^[\w.-]{1,15}$/.test(iface)) throw new SocketCanUnavailableError(`"${iface}" is not a network interface name`);
  const socketcan = await loadSocketCan();
  let channel: RawChannel;
  try {
    channel = socketcan.createRawChannel(iface, false);
  } catch (err) {
    throw new SocketCanUnavailableError(
      `cannot open SocketCAN interface ${iface} (${(err as Error).message}); the kernel needs AF_CAN and the interface must exist`,
    );
  }
  return new SocketCanTransport(iface, channel, options.sendTimeoutMs ?? 1000);
}

const CAN_EFF_FLAG = 0x80000000;
const CAN_SFF_MASK = 0x7ff;
const CAN_EFF_MASK = 0x1fffffff;
/** Frames written back to back before yielding to the event loop. */
const YIELD_EVERY_FRAMES = 4;
/** The kernel refuses longer filter lists (linux/can/raw.h). */
const CAN_RAW_FILTER_MAX = 512;

/** The kernel's can_id carries the 29-bit flag: an identifier kind, when given, is matched through it. */
function kernelFilter(f: CanIdFilter): KernelFilter {
  if (f.extended === undefined) return { id: f.id & CAN_EFF_MASK, mask: f.mask & CAN_EFF_MASK };
  const idMask = f.extended ? CAN_EFF_MASK : CAN_SFF_MASK;
  // >>> 0: the addon takes unsigned 32-bit values, and | on bit 31 gives a negative number.
  return {
    id: ((f.id & idMask) | (f.extended ? CAN_EFF_FLAG : 0)) >>> 0,
    mask: ((f.mask & idMask) | CAN_EFF_FLAG) >>> 0,
  };
}

class SocketCanTransport extends ListeningCanTransport {
  constructor(
    name: string,
    private readonly channel: RawChannel,
    private readonly sendTimeoutMs: number,
  ) {
    super(name);
    channel.addListener('onMessage', (msg) => this.receive(msg));
    this.filterInKernel();
    channel.start();
  }

  /**
   * Lets the kernel queue only frames some subscriber wants. Every socket on an interface otherwise gets every
   * frame on the bus: a process that the host stalls would have its receive buffer (212 KB by default, a few
   * hundred frames) filled with other nodes' traffic and lose its own frames, and read them all when it runs.
   */
  private filterInKernel(): void {
    const accepted = this.listeners.acceptedIds();
    if (accepted === null || accepted.length > CAN_RAW_FILTER_MAX) this.channel.setRxFilters([{ id: 0, mask: 0 }]);
    else if (accepted.length === 0) this.channel.setRxFilters([{ id: 0, mask: 0, invert: true }]);
    else this.channel.setRxFilters(accepted.map(kernelFilter));
  }

  private receive(msg: RawMessage): void {
    if (this.closed || msg.rtr || msg.err) return;
    // Received FD frames carry no FD flag in socketcan 4.0.7: only a length over 8 tells.
    const data = new Uint8Array(msg.data.buffer, msg.data.byteOffset, msg.data.length);
    this.listeners.deliver({ id: msg.id, extended: msg.ext === true, fd: data.length > 8, data });
  }

  /** Yields to the event loop every few frames, so receivers in this process drain their sockets (thousands of
   * unpaced frames overflow a SocketCAN receive buffer). */
  async sendBatch(frames: readonly CanFrame[]): Promise<void> {
    for (let i = 0; i < frames.length; i++) {
      if (i > 0 && i % YIELD_EVERY_FRAMES === 0) await new Promise((r) => setImmediate(r));
      await this.write(frames[i] as CanFrame);
    }
  }

  private async write(frame: CanFrame): Promise<void> {
    this.assertOpen();
    validateCanFrame(frame);
    const msg = { id: frame.id, ext: frame.extended, rtr: false, data: Buffer.from(frame.data) };
    const deadline = Date.now() + this.sendTimeoutMs;
    // A full kernel queue (ENOBUFS) shows as a negative return: wait a little and retry instead of dropping.
    for (let delay = 0; ; delay = Math.min(delay + 1, 5)) {
      const written = frame.fd ? this.channel.sendFD(msg) : this.channel.send(msg);
      if (written > 0) return;
      if (Date.now() > deadline) {
        throw new Error(
          `CAN transport ${this.name}: the kernel refused the frame for ${this.sendTimeoutMs} ms` +
            (frame.fd ? ' (CAN FD frames need the interface at MTU 72)' : ' (transmit queue full)'),
        );
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  override subscribe(filter: CanIdFilter[] | null, listener: (frame: CanFrame) => void): () => void {
    const unsubscribe = super.subscribe(filter, listener);
    this.filterInKernel();
    return () => {
      unsubscribe();
      if (!this.closed) this.filterInKernel();
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.channel.stop();
  }
}
