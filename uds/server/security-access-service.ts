// A ready-made SecurityAccess (0x27) service for UdsServer with the project's rules (flash-protocol.md
// step 5): random seed, key = computeSecurityKey(secret, seed), all-zero seed when already unlocked,
// NRC 0x35 for a wrong key, 0x36 and a lockout on the last allowed attempt, 0x37 while locked out,
// 0x24 for a key without a seed.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { NRC, NegativeResponse } from '../nrc.ts';
import { computeSecurityKey } from '../security-key.ts';
import {
  decodeSecurityAccessRequest,
  encodeRequestSeedResponse,
  encodeSendKeyResponse,
} from '../services/security-access.ts';
import { SID } from '../services/sid.ts';
import type { ServiceDefinition, SubFunctionRule } from './types.ts';

export interface SecurityLevelConfig {
  /** The requestSeed sub-function (odd), e.g. 0x11. */
  level: number;
  secret: Uint8Array;
  /** Sessions in which this level may be unlocked; omitted: all. */
  sessions?: readonly number[];
}

export interface SecurityAccessServiceOptions {
  levels: readonly SecurityLevelConfig[];
  /** Wrong keys in a row that lock the level. Default 3. */
  maxAttempts?: number;
  /** Lockout after the last allowed wrong key. Default 10 000 ms. */
  lockoutMs?: number;
  seedLength?: number;
  /** Sessions where the service exists at all (NRC 0x7F elsewhere); omitted: all. */
  sessions?: readonly number[];
  /** Seed source (tests make it deterministic). Default crypto random bytes. */
  randomSeed?: (length: number) => Uint8Array;
  /** Overrides the key check, e.g. for fault injection ("refuse the security key"). */
  keyFor?: (level: number, seed: Uint8Array, secret: Uint8Array) => Uint8Array;
  now?: () => number;
}

export function createSecurityAccessService(options: SecurityAccessServiceOptions): ServiceDefinition {
  const maxAttempts = options.maxAttempts ?? 3;
  const lockoutMs = options.lockoutMs ?? 10_000;
  const seedLength = options.seedLength ?? 16;
  const randomSeed = options.randomSeed ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const keyFor =
    options.keyFor ?? ((_level: number, seed: Uint8Array, secret: Uint8Array) => computeSecurityKey(secret, seed));
  const now = options.now ?? Date.now;
  const byLevel = new Map(options.levels.map((l) => [l.level, l]));
  const failures = new Map<number, number>();
  const lockedUntil = new Map<number, number>();
  let pending: { level: number; seed: Uint8Array; session: number } | null = null;

  const subFunctions: Record<number, SubFunctionRule> = {};
  for (const l of options.levels) {
    if (l.level % 2 !== 1)
      throw new RangeError(`security level 0x${l.level.toString(16)} must be odd (the requestSeed value)`);
    const rule: SubFunctionRule = l.sessions ? { sessions: l.sessions } : {};
    subFunctions[l.level] = rule;
    subFunctions[l.level + 1] = rule;
  }

  return {
    sid: SID.SecurityAccess,
    ...(options.sessions ? { sessions: options.sessions } : {}),
    subFunctions,
    handler: (request, ctx) => {
      const decoded = decodeSecurityAccessRequest(request);
      const config = byLevel.get(decoded.level);
      if (!config) throw new NegativeResponse(NRC.subFunctionNotSupported);
      if (decoded.kind === 'requestSeed') {
        if ((lockedUntil.get(decoded.level) ?? 0) > now()) throw new NegativeResponse(NRC.requiredTimeDelayNotExpired);
        if (ctx.securityLevel === decoded.level) {
          pending = null;
          return encodeRequestSeedResponse(decoded.level, new Uint8Array(seedLength));
        }
        const seed = randomSeed(seedLength);
        pending = { level: decoded.level, seed, session: ctx.session };
        return encodeRequestSeedResponse(decoded.level, seed);
      }
      const seedRequest = pending;
      pending = null; // a seed is good for one key, right or wrong
      if (!seedRequest || seedRequest.level !== decoded.level || seedRequest.session !== ctx.session) {
        throw new NegativeResponse(NRC.requestSequenceError);
      }
      const expected = keyFor(decoded.level, seedRequest.seed, config.secret);
      const ok = expected.length === decoded.key.length && timingSafeEqual(expected, decoded.key);
      if (!ok) {
        const count = (failures.get(decoded.level) ?? 0) + 1;
        if (count >= maxAttempts) {
          failures.set(decoded.level, 0);
          lockedUntil.set(decoded.level, now() + lockoutMs);
          throw new NegativeResponse(NRC.exceededNumberOfAttempts);
        }
        failures.set(decoded.level, count);
        throw new NegativeResponse(NRC.invalidKey);
      }
      failures.set(decoded.level, 0);
      ctx.setSecurityLevel(decoded.level);
      return encodeSendKeyResponse(decoded.level);
    },
  };
}
