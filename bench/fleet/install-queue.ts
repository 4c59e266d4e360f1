// The fleet bench's vehicles between an offer and their result: each installs for the same time, so
// they finish in the order their offers came and a FIFO is the whole schedule. Typed arrays: a million
// vehicles cost 13 MB.

export class InstallQueue {
  readonly #vehicle: Int32Array;
  readonly #doneAt: Float64Array;
  readonly #installing: Uint8Array;
  #head = 0;
  #size = 0;

  constructor(
    readonly vehicles: number,
    /** How long each vehicle installs before it answers its offer (ms, the caller's clock). */
    readonly installMs: number,
  ) {
    this.#vehicle = new Int32Array(vehicles);
    this.#doneAt = new Float64Array(vehicles);
    this.#installing = new Uint8Array(vehicles);
  }

  /** Vehicles installing now. */
  get size(): number {
    return this.#size;
  }

  /** Whether vehicle `i` is installing (an offer repeated meanwhile changes nothing). */
  has(i: number): boolean {
    return this.#installing[i] === 1;
  }

  /** Vehicle `i` starts installing at `now`. */
  add(i: number, now: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.vehicles)
      throw new RangeError(`vehicle ${i} outside 0..${this.vehicles - 1}`);
    if (this.has(i)) throw new Error(`vehicle ${i} is already installing`);
    const at = (this.#head + this.#size) % this.vehicles;
    this.#vehicle[at] = i;
    this.#doneAt[at] = now + this.installMs;
    this.#installing[i] = 1;
    this.#size++;
  }

  /** When the next vehicle finishes installing; undefined when none is. */
  get nextDoneAt(): number | undefined {
    return this.#size === 0 ? undefined : this.#doneAt[this.#head];
  }

  /** Up to `max` vehicles whose install is over at `now`, oldest first, no longer installing. */
  take(now: number, max: number): number[] {
    const done: number[] = [];
    while (done.length < max && this.#size > 0 && this.#doneAt[this.#head]! <= now) {
      const i = this.#vehicle[this.#head]!;
      this.#installing[i] = 0;
      done.push(i);
      this.#head = (this.#head + 1) % this.vehicles;
      this.#size--;
    }
    return done;
  }
}
