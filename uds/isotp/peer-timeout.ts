// A protocol timeout on the peer (N_Bs, N_Cr, the client's P2/P2*, the server's S3) that expires only after
// input already waiting has been read. A process the host stalls for longer than the timeout runs its due
// timers before its I/O callbacks, and would otherwise blame the peer for a frame that sits in its own
// receive queue: the expiry is deferred by one event-loop turn (setImmediate runs after the poll phase), and
// the owner's restart or cancel, e.g. by that frame, still wins.
export class PeerTimeout {
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;

  /** `unref`: the timeout alone does not keep the process alive (e.g. S3, which runs while idle). */
  constructor(private readonly options: { unref?: boolean } = {}) {}

  /** (Re)starts the timeout; an earlier one is cancelled. */
  start(ms: number, onExpiry: () => void): void {
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        onExpiry();
      });
      if (this.options.unref) this.immediate.unref();
    }, ms);
    if (this.options.unref) this.timer.unref();
  }

  cancel(): void {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }
}
