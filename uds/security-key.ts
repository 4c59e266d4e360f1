// The project's SecurityAccess key derivation (flash-protocol.md step 5), used by the gateway and the simulator.
import { createHmac } from 'node:crypto';

export const SECURITY_KEY_LENGTH = 16;

/** First 16 bytes of HMAC-SHA256(secret, seed). */
export function computeSecurityKey(secret: Uint8Array, seed: Uint8Array): Uint8Array {
  if (secret.length === 0) throw new Error('the SecurityAccess secret is empty');
  const mac = createHmac('sha256', secret).update(seed).digest();
  return new Uint8Array(mac.subarray(0, SECURITY_KEY_LENGTH));
}
