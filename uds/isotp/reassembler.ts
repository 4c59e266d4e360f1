// Receive side of one ISO-TP address pair: reassembles first + consecutive frames, answers with flow
// control (BS, STmin, optional FC.WAITs, FC.OVFLW), and abandons a message with a typed error on a
// wrong sequence number, an interrupting single/first frame, a short frame or N_Cr. Never throws.
import {
  IsoTpInvalidFrameError,
  IsoTpOverflowError,
  IsoTpSequenceError,
  IsoTpTimeoutError,
  IsoTpUnexpectedFrameError,
  type IsoTpError,
} from './errors.ts';
import { FlowStatus, type ReceivedFormat } from './frames.ts';
import type { ResolvedIsoTpOptions } from './options.ts';
import { PeerTimeout } from './peer-timeout.ts';

export interface ReassemblerEvents {
  /** Flow control goes out in the format of the first frame it answers. */
  sendFlowControl(status: FlowStatus, format: ReceivedFormat): void;
  deliver(payload: Uint8Array, format: ReceivedFormat): void;
  firstFrame(messageLength: number): void;
  report(err: IsoTpError): void;
}

interface Reception {
  buffer: Uint8Array;
  received: number;
  nextSequence: number;
  framesInBlock: number;
  /** The first frame's format; its dataLength is RX_DL, which every consecutive frame but the last has. */
  format: ReceivedFormat;
  /** N_Cr. */
  timer: PeerTimeout;
  onTimeout: () => void;
  /** FC.CTS not yet sent (waits in progress): consecutive frames now are unexpected. */
  awaitingOwnFc: boolean;
}

export class Reassembler {
  private reception: Reception | null = null;
  /** N_Cr, one for all receptions (one at a time), so its timer is reused from message to message. */
  private readonly timer = new PeerTimeout();

  constructor(
    private readonly options: ResolvedIsoTpOptions,
    private readonly events: ReassemblerEvents,
  ) {}

  get receiving(): boolean {
    return this.reception !== null;
  }

  onSingleFrame(payload: Uint8Array, format: ReceivedFormat): void {
    this.interrupt('single frame');
    this.events.deliver(Uint8Array.from(payload), format);
  }

  onFirstFrame(messageLength: number, payload: Uint8Array, format: ReceivedFormat): void {
    this.interrupt('first frame');
    const o = this.options;
    if (o.functional) {
      this.events.report(
        new IsoTpUnexpectedFrameError('first frame on a functional address ignored (single frames only)'),
      );
      return;
    }
    if (o.txId === null) {
      this.events.report(
        new IsoTpUnexpectedFrameError('first frame on a receive-only endpoint ignored (no flow control id)'),
      );
      return;
    }
    if (messageLength > o.maxMessageLength) {
      this.events.sendFlowControl(FlowStatus.Overflow, format);
      this.events.report(
        new IsoTpOverflowError(`refused a ${messageLength}-byte message (limit ${o.maxMessageLength}) with FC.OVFLW`),
      );
      return;
    }
    const buffer = new Uint8Array(messageLength);
    buffer.set(payload.subarray(0, messageLength));
    const r: Reception = {
      buffer,
      received: Math.min(payload.length, messageLength),
      nextSequence: 1,
      framesInBlock: 0,
      format,
      timer: this.timer,
      onTimeout: () => this.timedOut(r),
      awaitingOwnFc: o.flowControlWaits > 0,
    };
    this.reception = r;
    this.events.firstFrame(messageLength);
    if (o.flowControlWaits > 0) void this.sendWaitsThenContinue(r);
    else this.events.sendFlowControl(FlowStatus.ContinueToSend, format);
    this.armTimer(r);
  }

  /** A consecutive frame whose payload is `frame[payloadStart..]` (a view would cost more than the copy). */
  onConsecutiveFrame(sequenceNumber: number, frame: Uint8Array, payloadStart: number): void {
    const r = this.reception;
    if (!r) return; // a consecutive frame outside a reception is ignored (ISO 15765-2)
    if (r.awaitingOwnFc) {
      this.abandon(
        new IsoTpUnexpectedFrameError('consecutive frame before this receiver sent FC.CTS; message abandoned'),
      );
      return;
    }
    if (sequenceNumber !== r.nextSequence) {
      this.abandon(new IsoTpSequenceError(r.nextSequence, sequenceNumber));
      return;
    }
    const carried = frame.length - payloadStart;
    const remaining = r.buffer.length - r.received;
    const expected = Math.min(remaining, r.format.dataLength - 1 - (this.options.extendedAddress ? 1 : 0));
    if (carried < expected) {
      this.abandon(
        new IsoTpInvalidFrameError(
          `consecutive frame carries ${carried} bytes, expected ${expected}; message abandoned`,
        ),
      );
      return;
    }
    const take = Math.min(remaining, carried);
    const buffer = r.buffer;
    for (let i = 0, o = r.received; i < take; i++, o++) buffer[o] = frame[payloadStart + i] as number;
    r.received += take;
    r.nextSequence = (r.nextSequence + 1) & 0x0f;
    if (r.received === buffer.length) {
      this.reset();
      this.events.deliver(buffer, r.format);
      return;
    }
    const bs = this.options.blockSize;
    if (bs > 0 && ++r.framesInBlock === bs) {
      r.framesInBlock = 0;
      this.events.sendFlowControl(FlowStatus.ContinueToSend, r.format);
    }
    this.armTimer(r);
  }

  /** Drops the message in progress with `err` (e.g. its flow control could not be sent). */
  abandon(err: IsoTpError): void {
    this.reset();
    this.events.report(err);
  }

  reset(): void {
    this.reception?.timer.cancel();
    this.reception = null;
  }

  private interrupt(cause: string): void {
    const r = this.reception;
    if (!r) return;
    this.abandon(
      new IsoTpUnexpectedFrameError(
        `a ${cause} arrived after ${r.received} of ${r.buffer.length} bytes of a message; that message was abandoned`,
      ),
    );
  }

  private async sendWaitsThenContinue(r: Reception): Promise<void> {
    for (let i = 0; i < this.options.flowControlWaits; i++) {
      if (this.reception !== r) return;
      this.events.sendFlowControl(FlowStatus.Wait, r.format);
      this.armTimer(r);
      await new Promise((res) => setTimeout(res, this.options.flowControlWaitIntervalMs));
    }
    if (this.reception !== r) return;
    r.awaitingOwnFc = false;
    this.events.sendFlowControl(FlowStatus.ContinueToSend, r.format);
    this.armTimer(r);
  }

  /** N_Cr from now; the expiry callback is made once per message, so a restart allocates nothing. */
  private armTimer(r: Reception): void {
    r.timer.start(this.options.nCrMs, r.onTimeout);
  }

  private timedOut(r: Reception): void {
    if (this.reception !== r) return;
    this.abandon(
      new IsoTpTimeoutError(
        'N_Cr',
        this.options.nCrMs,
        `message abandoned after ${r.received} of ${r.buffer.length} bytes`,
      ),
    );
  }
}
