// SecurityAccess level 0x11 of the reference profile: 16-byte random seed (all zero when already unlocked),
// key = first 16 bytes of HMAC-SHA256(secret, seed), invalidKey for a wrong key, the third wrong key in a row
// answers exceededNumberOfAttempts and locks the level for 10 s (requiredTimeDelayNotExpired meanwhile).
// The attempt counter and the lock survive a power cycle, as in a real ECU.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { computeSecurityKey, NRC, NegativeResponse } from '@ota/uds';
import type { EcuMemory } from './ecu-memory.ts';

export const SEED_LENGTH = 16;
export const MAX_KEY_ATTEMPTS = 3;
export const LOCKOUT_MS = 10_000;

export class SecurityAccess {
  private pendingSeed: { level: number; seed: Uint8Array } | null = null;

  constructor(
    private readonly memory: EcuMemory,
    private readonly secret: Uint8Array,
    private readonly now: () => number = Date.now,
  ) {}

  /** A session change or a reset forgets an outstanding seed (the server itself locks the level). */
  forgetSeed(): void {
    this.pendingSeed = null;
  }

  requestSeed(level: number, alreadyUnlocked: boolean): Uint8Array {
    if (this.memory.state.securityLockedUntil > this.now()) {
      throw new NegativeResponse(NRC.requiredTimeDelayNotExpired, 'SecurityAccess is locked after too many wrong keys');
    }
    if (alreadyUnlocked) return new Uint8Array(SEED_LENGTH);
    const seed = new Uint8Array(randomBytes(SEED_LENGTH));
    this.pendingSeed = { level, seed };
    return seed;
  }

  /** Returns when the key is right (the caller then unlocks the level); throws the NRC otherwise. */
  sendKey(level: number, key: Uint8Array, refuseEveryKey: boolean): void {
    const pending = this.pendingSeed;
    if (!pending || pending.level !== level) {
      throw new NegativeResponse(NRC.requestSequenceError, 'sendKey without a preceding requestSeed');
    }
    this.pendingSeed = null;
    const expected = computeSecurityKey(this.secret, pending.seed);
    const valid = !refuseEveryKey && key.length === expected.length && timingSafeEqual(key, expected);
    if (valid) {
      if (this.memory.state.securityFailedAttempts !== 0) this.memory.update((s) => (s.securityFailedAttempts = 0));
      return;
    }
    const attempts = this.memory.state.securityFailedAttempts + 1;
    if (attempts >= MAX_KEY_ATTEMPTS) {
      this.memory.update((s) => {
        s.securityFailedAttempts = 0;
        s.securityLockedUntil = this.now() + LOCKOUT_MS;
      });
      throw new NegativeResponse(NRC.exceededNumberOfAttempts, 'third wrong key: locked for 10 s');
    }
    this.memory.update((s) => (s.securityFailedAttempts = attempts));
    throw new NegativeResponse(NRC.invalidKey);
  }
}
