// Transmit side of ISO-TP flow control: waits for the receiver's FC after a first frame or a block,
// counting FC.WAIT against N_WFTmax and timing out with N_Bs.
import { IsoTpOverflowError, IsoTpTimeoutError, IsoTpWaitLimitError } from './errors.ts';
import { FlowStatus } from './frames.ts';
import { PeerTimeout } from './peer-timeout.ts';

export interface ClearToSend {
  blockSize: number;
  stMin: number;
}

interface Wait {
  resolve: (fc: ClearToSend) => void;
  reject: (err: Error) => void;
  waits: number;
  /** N_Bs. */
  timer: PeerTimeout;
}

export class FlowControlWaiter {
  private wait: Wait | null = null;

  constructor(private readonly limits: { nBsMs: number; maxWaitFrames: number }) {}

  /** Starts listening (before the soliciting frame goes out, so a fast FC is not missed). */
  expect(): Promise<ClearToSend> {
    const promise = new Promise<ClearToSend>((resolve, reject) => {
      const wait: Wait = { resolve, reject, waits: 0, timer: new PeerTimeout() };
      this.wait = wait;
      this.arm(wait);
    });
    // It may fail before anyone awaits it (the soliciting frame failed): keep that from being "unhandled".
    promise.catch(() => undefined);
    return promise;
  }

  /** A flow control frame arrived. One that nobody expects (stale, foreign) is ignored, as the standard says. */
  onFlowControl(status: FlowStatus, blockSize: number, stMin: number): void {
    const wait = this.wait;
    if (!wait) return;
    if (status === FlowStatus.ContinueToSend) this.settle({ blockSize, stMin });
    else if (status === FlowStatus.Overflow) {
      this.settle(new IsoTpOverflowError('the receiver answered FC.OVFLW: message too long for its buffer'));
    } else if (++wait.waits > this.limits.maxWaitFrames) {
      this.settle(
        new IsoTpWaitLimitError(`the receiver sent more than ${this.limits.maxWaitFrames} FC.WAIT frames (N_WFTmax)`),
      );
    } else this.arm(wait);
  }

  /** Fails the pending wait (the soliciting frame could not be sent, or the endpoint closed). */
  fail(err: Error): void {
    this.settle(err);
  }

  private arm(wait: Wait): void {
    wait.timer.start(this.limits.nBsMs, () =>
      this.settle(new IsoTpTimeoutError('N_Bs', this.limits.nBsMs, 'no flow control from the receiver')),
    );
  }

  private settle(result: Error | ClearToSend): void {
    const wait = this.wait;
    if (!wait) return;
    this.wait = null;
    wait.timer.cancel();
    if (result instanceof Error) wait.reject(result);
    else wait.resolve(result);
  }
}
