// One ISO-TP address pair (ISO 15765-2): segmentation with flow control on transmit, reassembly on receive
// (./reassembler.ts). Transmissions are queued one at a time; one reception at a time. Bad or unexpected
// frames are reported through onError and never thrown out of the transport callback. A reply (flow control,
// and a message sent with the request's ReceivedFormat) goes out in the frame format the request came in.
import type { CanFrame } from '../can/frame.ts';
import { exactIdFilter, type CanTransport } from '../can/transport.ts';
import {
  IsoTpClosedError,
  IsoTpConfigError,
  IsoTpError,
  IsoTpInvalidFrameError,
  IsoTpMessageLengthError,
  IsoTpTimeoutError,
} from './errors.ts';
import { FlowControlWaiter } from './flow-control-waiter.ts';
import {
  MAX_MESSAGE_LENGTH,
  consecutiveFrameCapacity,
  decodePdu,
  encodeConsecutiveFrameOf,
  encodeFirstFrame,
  encodeFlowControl,
  encodeSingleFrame,
  singleFrameCapacity,
  type FlowStatus,
  type FrameLayout,
  type ReceivedFormat,
} from './frames.ts';
import { resolveIsoTpOptions, type IsoTpOptions, type ResolvedIsoTpOptions } from './options.ts';
import { Reassembler } from './reassembler.ts';
import { nowMicros, stMinToMicros, waitUntilElapsed } from './stmin.ts';

/** Consecutive frames handed to the transport in one call when STmin is 0 (a block, or this much of it):
 * few enough that one N_As deadline for the batch stays meaningful even on a slow bus (64 classical frames
 * take ~16 ms at 500 kbit/s), many enough that per-call costs vanish. */
const MAX_BATCH_FRAMES = 64;

export class IsoTpEndpoint {
  readonly options: ResolvedIsoTpOptions;
  private readonly layout: FrameLayout;
  private readonly unsubscribe: () => void;
  private readonly flowControl: FlowControlWaiter;
  private readonly reassembler: Reassembler;
  private messageListeners: ((payload: Uint8Array, format: ReceivedFormat) => void)[] = [];
  private firstFrameListeners: ((messageLength: number) => void)[] = [];
  private errorListeners: ((err: IsoTpError) => void)[] = [];
  private txChain: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;

  constructor(
    private readonly transport: CanTransport,
    options: IsoTpOptions,
  ) {
    this.options = resolveIsoTpOptions(options);
    const o = this.options;
    this.layout = { addressByte: o.extendedAddress?.tx ?? null, txDataLength: o.txDataLength, padding: o.padding };
    this.flowControl = new FlowControlWaiter(o);
    this.reassembler = new Reassembler(o, {
      sendFlowControl: (status, format) => this.sendFlowControl(status, format),
      deliver: (payload, format) => this.emit(this.messageListeners, payload, format),
      firstFrame: (length) => this.emit(this.firstFrameListeners, length),
      report: (err) => this.emit(this.errorListeners, err),
    });
    this.unsubscribe =
      o.rxId === null
        ? () => undefined
        : transport.subscribe([exactIdFilter(o.rxId, o.extended29)], (frame) => this.onFrame(frame));
  }

  /**
   * Sends one message; resolves when its last frame is on the bus. Calls are queued, one transfer at a time.
   * `replyTo`: the format of the request this answers; the message then goes out in that format (classical
   * for a classical request, at most the request's data length on CAN FD), never beyond this endpoint's own.
   */
  send(payload: Uint8Array, replyTo?: ReceivedFormat): Promise<void> {
    this.queued++;
    const run = this.txChain.then(() => this.transmit(payload, this.framing(replyTo)));
    this.txChain = run.then(
      () => void this.queued--,
      () => void this.queued--,
    );
    return run;
  }

  /** Messages handed to send() that have not finished (the one on the bus included). */
  get queuedTransmissions(): number {
    return this.queued;
  }

  /** The message's payload and the format it arrived in (pass that to send() to answer in kind). */
  onMessage(listener: (payload: Uint8Array, format: ReceivedFormat) => void): () => void {
    this.messageListeners = [...this.messageListeners, listener];
    return () => (this.messageListeners = this.messageListeners.filter((l) => l !== listener));
  }

  /** N_USData_FF.indication: a multi-frame message of this length has started to arrive. */
  onFirstFrame(listener: (messageLength: number) => void): () => void {
    this.firstFrameListeners = [...this.firstFrameListeners, listener];
    return () => (this.firstFrameListeners = this.firstFrameListeners.filter((l) => l !== listener));
  }

  /** Reception problems (timeouts, wrong sequence, unexpected or invalid frames). */
  onError(listener: (err: IsoTpError) => void): () => void {
    this.errorListeners = [...this.errorListeners, listener];
    return () => (this.errorListeners = this.errorListeners.filter((l) => l !== listener));
  }

  /** True while a multi-frame message is being received. */
  get receiving(): boolean {
    return this.reassembler.receiving;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.reassembler.reset();
    this.flowControl.fail(new IsoTpClosedError('ISO-TP endpoint closed while waiting for flow control'));
    this.messageListeners = [];
    this.firstFrameListeners = [];
    this.errorListeners = [];
  }

  /** Frame kind and layout for one transmission: this endpoint's own, or the request's when replying. */
  private framing(replyTo: ReceivedFormat | undefined): Framing {
    const own = { fd: this.options.fd, layout: this.layout };
    if (!replyTo) return own;
    const fd = own.fd && replyTo.fd;
    const txDataLength = fd ? Math.min(this.layout.txDataLength, Math.max(8, replyTo.dataLength)) : 8;
    return { fd, layout: { ...this.layout, txDataLength } };
  }

  private async transmit(payload: Uint8Array, { fd, layout }: Framing): Promise<void> {
    const o = this.options;
    if (this.closed) throw new IsoTpClosedError('ISO-TP endpoint is closed');
    if (o.txId === null) throw new IsoTpConfigError('this ISO-TP endpoint is receive-only (txId null)');
    if (payload.length === 0) throw new IsoTpMessageLengthError('an ISO-TP message has at least 1 byte');
    if (payload.length <= singleFrameCapacity(layout)) {
      await this.sendFrames([this.canFrame(encodeSingleFrame(payload, layout), fd)]);
      return;
    }
    if (o.functional) {
      throw new IsoTpMessageLengthError(
        `functional requests are single frames (at most ${singleFrameCapacity(layout)} bytes), not ${payload.length}`,
      );
    }
    if (payload.length > MAX_MESSAGE_LENGTH) {
      throw new IsoTpMessageLengthError(`message of ${payload.length} bytes is too long`);
    }

    await this.transmitSegmented(payload, fd, layout);
  }

  /** First frame, then blocks of consecutive frames as the receiver's flow control allows. Without STmin a
   * block goes to the transport in batches (one call and one N_As deadline per batch, not per frame). */
  private async transmitSegmented(payload: Uint8Array, fd: boolean, layout: FrameLayout): Promise<void> {
    const first = encodeFirstFrame(payload, layout);
    let fc = this.flowControl.expect();
    await this.sendSoliciting([this.canFrame(first.frame, fd)]);
    let offset = first.consumed;
    let sequence = 1;
    const chunk = consecutiveFrameCapacity(layout);
    while (offset < payload.length) {
      const { blockSize, stMin } = await fc;
      const gap = stMinToMicros(stMin);
      let left = blockSize === 0 ? Infinity : blockSize;
      let lastSent = nowMicros();
      while (left > 0 && offset < payload.length) {
        if (gap > 0) await waitUntilElapsed(lastSent, gap);
        if (this.closed) throw new IsoTpClosedError('ISO-TP endpoint closed during a transmission');
        const batch: CanFrame[] = [];
        const count = gap > 0 ? 1 : Math.min(left, MAX_BATCH_FRAMES);
        while (batch.length < count && offset < payload.length) {
          const end = Math.min(offset + chunk, payload.length);
          batch.push(this.canFrame(encodeConsecutiveFrameOf(sequence, payload, offset, end, layout), fd));
          offset = end;
          sequence = (sequence + 1) & 0x0f;
        }
        left -= batch.length;
        // The last frame of a block solicits the next flow control: listen before sending it.
        if (left === 0 && offset < payload.length) {
          fc = this.flowControl.expect();
          await this.sendSoliciting(batch);
        } else await this.sendFrames(batch);
        lastSent = nowMicros(); // STmin runs from the end of this frame's transmission to the next one
      }
    }
  }

  /** Sends frames the receiver answers with flow control; if they cannot be sent, nobody waits for that FC. */
  private async sendSoliciting(frames: CanFrame[]): Promise<void> {
    try {
      await this.sendFrames(frames);
    } catch (err) {
      const error = asError(err);
      this.flowControl.fail(error);
      throw error;
    }
  }

  private canFrame(data: Uint8Array, fd: boolean): CanFrame {
    const o = this.options;
    return { id: o.txId as number, extended: o.extended29, fd, data };
  }

  /** The frames on the bus within N_As (one deadline for a batch), or the transport's own error (e.g.
   * CanFrameError), unchanged. */
  private sendFrames(frames: CanFrame[]): Promise<void> {
    const nAsMs = this.options.nAsMs;
    const sent = frames.length === 1 ? this.transport.send(frames[0] as CanFrame) : this.transport.sendBatch(frames);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new IsoTpTimeoutError('N_As', nAsMs, 'frame not transmitted')), nAsMs);
      sent.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(asError(err));
        },
      );
    });
  }

  private sendFlowControl(status: FlowStatus, firstFrame: ReceivedFormat): void {
    const o = this.options;
    const { fd, layout } = this.framing(firstFrame);
    this.sendFrames([this.canFrame(encodeFlowControl(status, o.blockSize, o.stMin, layout), fd)]).catch(
      (err: unknown) => {
        this.reassembler.abandon(
          err instanceof IsoTpTimeoutError
            ? new IsoTpTimeoutError('N_Ar', o.nAsMs, 'flow control not transmitted')
            : toIsoTpError(err),
        );
      },
    );
  }

  private onFrame(frame: CanFrame): void {
    if (this.closed) return;
    const addressed = this.options.extendedAddress !== null;
    if (addressed && frame.data[0] !== this.options.extendedAddress?.rx) return; // addressed to another node
    const pci = addressed ? 1 : 0;
    // Consecutive frames, nearly every frame of a transfer, skip the general decoder and its payload view.
    if (frame.data.length > pci && (frame.data[pci] as number) >> 4 === 2) {
      this.reassembler.onConsecutiveFrame((frame.data[pci] as number) & 0x0f, frame.data, pci + 1);
      return;
    }
    const pdu = decodePdu(addressed ? frame.data.subarray(1) : frame.data, frame.data.length, addressed);
    switch (pdu.type) {
      case 'invalid':
        this.emit(
          this.errorListeners,
          new IsoTpInvalidFrameError(`ignored invalid ISO-TP frame on 0x${frame.id.toString(16)}: ${pdu.reason}`),
        );
        return;
      case 'flowControl':
        this.flowControl.onFlowControl(pdu.status, pdu.blockSize, pdu.stMin);
        return;
      case 'single':
        this.reassembler.onSingleFrame(pdu.payload, { fd: frame.fd, dataLength: frame.data.length });
        return;
      case 'first':
        this.reassembler.onFirstFrame(pdu.messageLength, pdu.payload, { fd: frame.fd, dataLength: frame.data.length });
        return;
      case 'consecutive': // taken above
        return;
    }
  }

  /** A listener's own failure must not break the protocol state machines. */
  private emit<A extends unknown[]>(listeners: readonly ((...args: A) => void)[], ...args: A): void {
    for (const l of listeners) {
      try {
        l(...args);
      } catch {
        // nowhere further to report
      }
    }
  }
}

interface Framing {
  fd: boolean;
  layout: FrameLayout;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function toIsoTpError(err: unknown): IsoTpError {
  if (err instanceof IsoTpError) return err;
  return new IsoTpError(err instanceof Error ? err.message : String(err));
}
