import { parseExpires } from '@ota/protocol/tuf';
import type { Role } from './metadata-store.ts';

/** How long each role's metadata stays valid: short for online roles, so a frozen client notices. */
export const EXPIRY_DAYS: Readonly<Record<Role, number>> = { root: 365, targets: 90, snapshot: 7, timestamp: 1 };

export function expiresAt(role: Role, now: Date): Date {
  return new Date(now.getTime() + EXPIRY_DAYS[role] * 24 * 3600 * 1000);
}

/** Whether published metadata is past half its lifetime (or unreadable): time to re-sign it. */
export function expiresSoon(bytes: Uint8Array, role: Role, now: Date): boolean {
  let expires: Date | undefined;
  try {
    const text = (JSON.parse(new TextDecoder().decode(bytes)) as { signed: { expires: string } }).signed.expires;
    expires = parseExpires(text);
  } catch {
    return true;
  }
  return expires === undefined || expires.getTime() - now.getTime() < (EXPIRY_DAYS[role] * 24 * 3600 * 1000) / 2;
}
