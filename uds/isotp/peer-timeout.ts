// A protocol timeout on the peer (N_Bs, N_Cr, the client's P2/P2*, the server's S3) that expires only after
// input already waiting has been read. A process the host stalls for longer than the timeout runs its due
// timers before its I/O callbacks, and would otherwise blame the peer for a frame that sits in its own
// receive queue: the expiry is deferred by one event-loop turn (setImmediate runs after the poll phase), and
// the owner's restart or cancel, e.g. by that frame, still wins.
//
// Restarting is cheap, since N_Cr restarts on every consecutive frame: start() only moves a deadline. One
// timer stays armed; when it fires before the deadline it re-arms for the rest, and a timer that would fire
// after a new, nearer deadline is replaced. A cancelled timer is left to fire (unreferenced, so it keeps
// nobody alive) and is reused by the next start().
import { turnNow } from './turn-clock.ts';

export class PeerTimeout {
  private timer: NodeJS.Timeout | undefined;
  /** performance.now() at which the armed timer fires. */
  private timerDueMs = 0;
  /** performance.now() at which the timeout expires; meaningful while onExpiry is set. */
  private deadlineMs = 0;
  private onExpiry: (() => void) | null = null;
  private immediate: NodeJS.Immediate | undefined;

  /** `unref`: the timeout alone does not keep the process alive (e.g. S3, which runs while idle). */
  constructor(private readonly options: { unref?: boolean } = {}) {}

  /** (Re)starts the timeout; an earlier one is cancelled. */
  start(ms: number, onExpiry: () => void): void {
    this.clearPendingExpiry();
    this.onExpiry = onExpiry;
    this.deadlineMs = turnNow() + ms;
    if (this.timer !== undefined && this.timerDueMs <= this.deadlineMs) {
      if (!this.options.unref) this.timer.ref();
      return; // fires early and re-arms for the rest
    }
    clearTimeout(this.timer);
    this.arm(ms);
  }

  cancel(): void {
    this.clearPendingExpiry();
    this.onExpiry = null;
    this.timer?.unref();
  }

  private arm(ms: number): void {
    this.timerDueMs = performance.now() + ms;
    this.timer = setTimeout(this.fire, ms);
    if (this.options.unref) this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    if (this.onExpiry === null) return; // cancelled meanwhile
    const left = this.deadlineMs - performance.now();
    if (left > 0) {
      this.arm(left);
      return;
    }
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      const expire = this.onExpiry;
      this.onExpiry = null;
      expire?.();
    });
    if (this.options.unref) this.immediate.unref();
  };

  private clearPendingExpiry(): void {
    clearImmediate(this.immediate);
    this.immediate = undefined;
  }
}
