// SecurityAccess level 0x11 (flash-protocol.md step 5) and the session dance that precedes privileged routines.
import { computeSecurityKey } from '../../uds/security-key.ts';
import type { EcuLink } from './ecu-link.ts';
import { SECURITY_LEVEL } from './uds-ids.ts';

/** Requests a seed and answers it; an all-zero seed means the level is already unlocked. */
export async function unlockSecurity(link: EcuLink, secret: Uint8Array): Promise<void> {
  const seed = await link.requestSeed(SECURITY_LEVEL);
  if (seed.every((b) => b === 0)) return;
  await link.sendKey(SECURITY_LEVEL, computeSecurityKey(secret, seed));
}
