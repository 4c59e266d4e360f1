/**
 * What the gateway signs with the vehicle's own Ed25519 key (version manifests, security events):
 * a zod-validated value in the TUF envelope `{ signatures, signed }`, signed over canonical JSON.
 * Failures name one of three codes; each message type wraps them in its own error class.
 */
import type { z } from 'zod';
import { canonicalBytes, CanonicalJsonError, omitUndefined } from '../tuf/canonical-json.ts';
import { keyIdOf, verifyEd25519 } from '../tuf/keys.ts';
import type { Signer, TufPublicKey } from '../tuf/keys.ts';
import { describeZodError, EnvelopeSchema } from '../tuf/schemas.ts';
import type { SignedMetadata } from '../tuf/schemas.ts';

export type VehicleSignedErrorCode = 'malformed' | 'bad_signature';
export type VehicleSignedFailure = (code: VehicleSignedErrorCode, detail: string) => Error;

/** Validates `value` with `schema` and signs it; `fail('malformed')` on bad content. */
export function signWithVehicleKey<S extends z.ZodType>(
  schema: S,
  value: z.input<S>,
  vehicleKey: Signer,
  fail: VehicleSignedFailure,
): SignedMetadata<z.output<S>> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw fail('malformed', describeZodError(parsed.error));
  const signed = omitUndefined(parsed.data);
  return { signatures: [{ keyid: vehicleKey.keyId, sig: vehicleKey.sign(canonicalBytes(signed)) }], signed };
}

/** Checks that `vehicleKey` signed the envelope's `signed` value and that it parses; returns it. */
export function verifyVehicleSigned<S extends z.ZodType>(
  schema: S,
  input: unknown,
  vehicleKey: TufPublicKey,
  fail: VehicleSignedFailure,
): z.output<S> {
  const envelope = EnvelopeSchema.extend({ signatures: EnvelopeSchema.shape.signatures.min(1) }).safeParse(input);
  if (!envelope.success) throw fail('malformed', describeZodError(envelope.error));
  let message: Uint8Array;
  try {
    message = canonicalBytes(envelope.data.signed);
  } catch (error) {
    if (error instanceof CanonicalJsonError) throw fail('malformed', error.message);
    throw error;
  }
  const keyId = keyIdOf(vehicleKey);
  const signed = envelope.data.signatures.some(
    (s) => s.keyid === keyId && verifyEd25519(vehicleKey.keyval.public, message, s.sig),
  );
  if (!signed) throw fail('bad_signature', `no valid signature by the vehicle key ${keyId}`);
  const parsed = schema.safeParse(envelope.data.signed);
  if (!parsed.success) throw fail('malformed', describeZodError(parsed.error));
  return parsed.data;
}
