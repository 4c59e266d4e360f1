// Gaining programming rights on an ECU: certificate Authentication (0x29, docs/uds-authentication.md) where the
// vehicle file's `access` asks for it, SecurityAccess level 0x11 seed/key (flash-protocol.md step 5) where it
// says seedKey, and for certificateOrSeedKey 0x29 first, seed/key only if the ECU does not support 0x29.
import {
  authenticateTester,
  type TesterCredential,
  NRC,
  NegativeResponseError,
  computeSecurityKey,
  SID,
  PROGRAMMING_SECURITY_LEVEL,
} from '@ota/uds';
import type { EcuAccessMethod } from '@ota/uds/vehicle';
import type { EcuLink } from './ecu-link.ts';

/** What the gateway holds for one ECU. */
export interface EcuAccessKeys {
  ecu: { name: string; access: EcuAccessMethod };
  /** SecurityAccess secret, used where the ECU is unlocked by seed/key. */
  secret: Uint8Array;
  /** The gateway's tester certificate and key, used where the ECU authenticates by certificate. */
  tester?: TesterCredential;
}

/** Requests a seed and answers it; an all-zero seed means the level is already unlocked. */
export async function unlockSecurity(link: EcuLink, secret: Uint8Array): Promise<void> {
  const seed = await link.requestSeed(PROGRAMMING_SECURITY_LEVEL);
  if (seed.every((b) => b === 0)) return;
  await link.sendKey(PROGRAMMING_SECURITY_LEVEL, computeSecurityKey(secret, seed));
}

export class NoTesterCertificateError extends Error {
  override readonly name = 'NoTesterCertificateError';
}

function notSupported(err: unknown): boolean {
  return err instanceof NegativeResponseError && err.sid === SID.Authentication && err.nrc === NRC.serviceNotSupported;
}

/** Unlocks the ECU the way its vehicle file says; returns the method that did. */
export async function gainProgrammingAccess(
  link: EcuLink,
  keys: EcuAccessKeys,
  onMethod: (method: 'certificate' | 'seedKey') => Promise<void> | void = () => undefined,
): Promise<'certificate' | 'seedKey'> {
  const { access, name } = keys.ecu;
  if (access !== 'seedKey') {
    await onMethod('certificate');
    if (!keys.tester) {
      throw new NoTesterCertificateError(
        `${name} authenticates by certificate (0x29): the gateway has no tester certificate`,
      );
    }
    try {
      await authenticateTester(link.authentication, keys.tester);
      return 'certificate';
    } catch (err) {
      if (access === 'certificate' || !notSupported(err)) throw err;
    }
  }
  await onMethod('seedKey');
  await unlockSecurity(link, keys.secret);
  return 'seedKey';
}
