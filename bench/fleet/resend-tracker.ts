// Which of N simulated vehicles got its offer, sent its result and had it confirmed (`stored`), and
// which results are due to be sent again: typed arrays only, so a million vehicles cost ~10 MB. Like the
// gateway, each resend waits longer (1, 2, 4, then 6 timeouts), longer still once the broker acknowledged
// the result, spread by jitter, so a backend behind on its reports is not buried under copies of them.

import { doubledDelay, jittered } from '@ota/protocol/mqtt';

/** The longest wait before a resend, in timeouts (1, 2, 4, then 6). */
const MAX_TIMEOUTS = 6;

export interface ResendDelays {
  /** The timeout once the broker acknowledged the result (default: the unacknowledged one). */
  ackedMs?: number;
  /** Each wait is spread by up to this fraction either way (default 0). */
  jitter?: number;
  /** Uniform in [0, 1): the jitter's source (Math.random). */
  random?: () => number;
}

export class ResendTracker {
  /** When each vehicle's result is due to be sent again (ms, the caller's clock); 0 = never sent. */
  readonly #dueAt: Float64Array;
  /** Resends of each vehicle's current result so far (capped at 255). */
  readonly #attempts: Uint8Array;
  /** Results each vehicle has made (one per answered offer; wraps at 256), which names its result. */
  readonly #answers: Uint8Array;
  readonly #offered: Uint8Array;
  readonly #stored: Uint8Array;
  #offers = 0;
  #sent = 0;
  #confirmed = 0;
  #resends = 0;

  readonly #ackedMs: number;
  readonly #jitter: number;
  readonly #random: () => number;

  constructor(
    readonly vehicles: number,
    /** A result unconfirmed this long is sent again (as the gateway does until `stored`). */
    readonly timeoutMs: number,
    delays: ResendDelays = {},
  ) {
    this.#ackedMs = delays.ackedMs ?? timeoutMs;
    this.#jitter = delays.jitter ?? 0;
    this.#random = delays.random ?? Math.random;
    this.#dueAt = new Float64Array(vehicles);
    this.#attempts = new Uint8Array(vehicles);
    this.#answers = new Uint8Array(vehicles);
    this.#offered = new Uint8Array((vehicles + 7) >> 3);
    this.#stored = new Uint8Array((vehicles + 7) >> 3);
  }

  /** Vehicles that received at least one offer. */
  get offers(): number {
    return this.#offers;
  }
  /** Vehicles whose result was sent at least once. */
  get sent(): number {
    return this.#sent;
  }
  /** Vehicles whose current result is confirmed. */
  get confirmed(): number {
    return this.#confirmed;
  }
  get resends(): number {
    return this.#resends;
  }

  /**
   * Records an offer to vehicle `i`; true when it is to be answered with a new result: its first
   * offer, or one after its last result was confirmed (the backend offers again). While a result
   * awaits confirmation the vehicle keeps resending that one instead.
   */
  offered(i: number): boolean {
    this.#check(i);
    if (setBit(this.#offered, i)) this.#offers++;
    if (this.#dueAt[i] !== 0 && !hasBit(this.#stored, i)) return false;
    if (clearBit(this.#stored, i)) this.#confirmed--;
    this.#attempts[i] = 0;
    this.#answers[i] = (this.#answers[i]! + 1) & 0xff;
    return true;
  }

  /** Which result of vehicle `i` is current (1 after its first offer). */
  answer(i: number): number {
    return this.#answers[i]!;
  }

  /** Records that vehicle `i` sent its result at `now`. */
  resultSent(i: number, now: number): void {
    this.#check(i);
    if (this.#dueAt[i] === 0) this.#sent++;
    this.#dueAt[i] = now + this.#wait(i, this.timeoutMs);
  }

  /** Records that the broker acknowledged vehicle `i`'s result at `now`: its resend waits the longer timeout. */
  resultAcked(i: number, now: number): void {
    this.#check(i);
    if (this.#dueAt[i] !== 0 && !hasBit(this.#stored, i)) this.#dueAt[i] = now + this.#wait(i, this.#ackedMs);
  }

  #wait(i: number, timeoutMs: number): number {
    const wait = doubledDelay(timeoutMs, this.#attempts[i]!, MAX_TIMEOUTS * timeoutMs);
    return jittered(wait, this.#jitter, this.#random);
  }

  /** Records the backend's confirmation for vehicle `i`; true when it is the first. */
  stored(i: number): boolean {
    this.#check(i);
    if (!setBit(this.#stored, i)) return false;
    this.#confirmed++;
    return true;
  }

  /** Vehicles whose unconfirmed result is due at `now` (a timeout after its first send, longer after each resend); each counts as resent at `now`. */
  due(now: number): number[] {
    const due: number[] = [];
    if (this.#sent === this.#confirmed) return due;
    for (let i = 0; i < this.vehicles; i++) {
      const at = this.#dueAt[i]!;
      if (at === 0 || now < at || hasBit(this.#stored, i)) continue;
      due.push(i);
      if (this.#attempts[i]! < 255) this.#attempts[i]!++;
      this.resultSent(i, now);
      this.#resends++;
    }
    return due;
  }

  #check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.vehicles)
      throw new RangeError(`vehicle ${i} outside 0..${this.vehicles - 1}`);
  }
}

const hasBit = (bits: Uint8Array, i: number) => (bits[i >> 3]! & (1 << (i & 7))) !== 0;

/** Clears bit `i`; true when it was set. */
function clearBit(bits: Uint8Array, i: number): boolean {
  if (!hasBit(bits, i)) return false;
  bits[i >> 3]! &= ~(1 << (i & 7));
  return true;
}

/** Sets bit `i`; true when it was clear. */
function setBit(bits: Uint8Array, i: number): boolean {
  if (hasBit(bits, i)) return false;
  bits[i >> 3]! |= 1 << (i & 7);
  return true;
}
