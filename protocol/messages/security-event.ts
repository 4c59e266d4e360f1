/**
 * A vehicle security event (gateway -> backend, topic kind `security-event`): what the gateway
 * refused or noticed, signed with the vehicle's own key like the version manifest, numbered by a
 * counter that only goes up per vehicle (the backend stores each counter once, so an event resent
 * after a lost confirmation counts once).
 */
import { z } from 'zod';
import type { VerificationErrorCode } from '../tuf/errors.ts';
import type { Signer, TufPublicKey } from '../tuf/keys.ts';
import { ExpiresSchema, Sha256HexSchema } from '../tuf/schemas.ts';
import type { SignedMetadata } from '../tuf/schemas.ts';
import { VinSchema } from '../vin.ts';
import { signWithVehicleKey, verifyVehicleSigned } from '../manifest/vehicle-signed.ts';
import type { VehicleSignedErrorCode } from '../manifest/vehicle-signed.ts';

export const SECURITY_EVENT_TYPES = [
  /** Update metadata refused (Uptane/TUF check failed); `attack` names what the check defeats. */
  'metadata_verification_failure',
  /** An image refused by the gateway: its OEM code signature or its hash does not verify. */
  'image_signature_refused',
  /** The ECU itself refused the image's signature (its check-memory routine failed). */
  'ecu_signature_refused',
  /** SecurityAccess (0x27): the ECU refused the key. */
  'security_access_failure',
  /** SecurityAccess (0x27): the ECU locked out further attempts (exceeded attempts / delay). */
  'security_access_lockout',
  /** Authentication (0x29): certificate or proof of ownership refused. */
  'authentication_failure',
  /** The ECU answered from its bootloader when the gateway expected its application. */
  'unexpected_bootloader',
  /** The ECU reports that its secure boot refused its image. */
  'secure_boot_failure',
  /** A diagnostic request on the vehicle's bus that this gateway did not send (another tester). */
  'can_unsent_diagnostic_request',
  /** A CAN id outside the vehicle's known set. */
  'can_unknown_id',
  /** The gateway's rate limit dropped this many events (a flood). */
  'events_dropped',
] as const;
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

export const SECURITY_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type SecuritySeverity = (typeof SECURITY_SEVERITIES)[number];

/** The attack a metadata check defeats (update-security.md), from the verifier's error code. */
export const METADATA_ATTACKS = [
  'bad_signature',
  'rollback',
  'freeze',
  'mix_and_match',
  'wrong_vin',
  'unreleased_software',
  'malformed',
] as const;
export type MetadataAttack = (typeof METADATA_ATTACKS)[number];

const ATTACK_OF_CODE: Record<VerificationErrorCode, MetadataAttack> = {
  malformed: 'malformed',
  wrong_type: 'malformed',
  unsupported_spec_version: 'malformed',
  bad_signature: 'bad_signature',
  threshold_not_met: 'bad_signature',
  expired: 'freeze',
  rollback: 'rollback',
  downgrade: 'rollback',
  version_mismatch: 'mix_and_match',
  hash_mismatch: 'mix_and_match',
  length_mismatch: 'mix_and_match',
  delta_base_mismatch: 'mix_and_match',
  unknown_target: 'unreleased_software',
  hardware_mismatch: 'unreleased_software',
  wrong_ecu: 'unreleased_software',
  wrong_vin: 'wrong_vin',
};
const VERIFICATION_CODES = Object.keys(ATTACK_OF_CODE) as [VerificationErrorCode, ...VerificationErrorCode[]];

export function isVerificationErrorCode(code: string): code is VerificationErrorCode {
  return Object.hasOwn(ATTACK_OF_CODE, code);
}

export function attackOf(code: VerificationErrorCode): MetadataAttack {
  return ATTACK_OF_CODE[code];
}

/** The severity a gateway gives each type (the backend may still rank by its own rules). */
export const DEFAULT_SEVERITY: Record<SecurityEventType, SecuritySeverity> = {
  metadata_verification_failure: 'high',
  image_signature_refused: 'critical',
  ecu_signature_refused: 'critical',
  security_access_failure: 'medium',
  security_access_lockout: 'high',
  authentication_failure: 'medium',
  unexpected_bootloader: 'medium',
  secure_boot_failure: 'critical',
  can_unsent_diagnostic_request: 'high',
  can_unknown_id: 'medium',
  events_dropped: 'high',
};

const EcuName = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'an ECU name of the vehicle file');
const Nrc = z.number().int().min(0).max(0xff);
const CanId = z.number().int().min(0).max(0x1fffffff);
const Bus = z.string().regex(/^[\w.-]{1,15}$/, 'a network interface name');

const base = {
  vin: VinSchema,
  /** Per vehicle, strictly increasing across restarts: the backend's idempotency key. */
  counter: z.number().int().nonnegative(),
  /** When the gateway saw it: `YYYY-MM-DDTHH:MM:SSZ`. */
  at: ExpiresSchema,
  severity: z.enum(SECURITY_SEVERITIES),
  /** One line for people: what was refused or seen, with the numbers. */
  details: z.string().max(1000),
  /** The campaign the event concerns, if any (metadata and image refusals). */
  campaignId: z.string().min(1).max(128).optional(),
};
const ecuEvent = <T extends SecurityEventType>(type: T) =>
  z.strictObject({ ...base, type: z.literal(type), ecu: EcuName, nrc: Nrc.optional() });

export const SecurityEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...base,
    type: z.literal('metadata_verification_failure'),
    attack: z.enum(METADATA_ATTACKS),
    code: z.enum(VERIFICATION_CODES),
    repository: z.enum(['image', 'director']).optional(),
  }),
  z.strictObject({
    ...base,
    type: z.literal('image_signature_refused'),
    ecu: EcuName,
    imageSha256: Sha256HexSchema.optional(),
  }),
  ecuEvent('ecu_signature_refused'),
  ecuEvent('security_access_failure'),
  ecuEvent('security_access_lockout'),
  ecuEvent('authentication_failure'),
  ecuEvent('unexpected_bootloader'),
  ecuEvent('secure_boot_failure'),
  z.strictObject({
    ...base,
    type: z.literal('can_unsent_diagnostic_request'),
    bus: Bus,
    canId: CanId,
    /** The UDS service id the frame asked for. */
    serviceId: z.number().int().min(0).max(0xff),
  }),
  z.strictObject({ ...base, type: z.literal('can_unknown_id'), bus: Bus, canId: CanId }),
  z.strictObject({
    ...base,
    type: z.literal('events_dropped'),
    dropped: z.number().int().positive(),
    /** First event dropped. */
    since: ExpiresSchema,
  }),
]);
export type SecurityEvent = z.infer<typeof SecurityEventSchema>;
export type SignedSecurityEvent = SignedMetadata<SecurityEvent>;

export class SecurityEventError extends Error {
  override readonly name = 'SecurityEventError';
  constructor(
    readonly code: VehicleSignedErrorCode,
    detail: string,
  ) {
    super(`security event: ${code}: ${detail}`);
  }
}

const eventFailure = (code: VehicleSignedErrorCode, detail: string) => new SecurityEventError(code, detail);

/** Validates and signs an event with the vehicle key; throws SecurityEventError('malformed'). */
export function signSecurityEvent(event: SecurityEvent, vehicleKey: Signer): SignedSecurityEvent {
  return signWithVehicleKey(SecurityEventSchema, event, vehicleKey, eventFailure);
}

/** Checks the vehicle key signed it and it is well formed; returns the event. */
export function verifySecurityEvent(input: unknown, vehicleKey: TufPublicKey): SecurityEvent {
  return verifyVehicleSigned(SecurityEventSchema, input, vehicleKey, eventFailure);
}

/**
 * The event's stable id everywhere downstream (database, dashboard, SIEM): the same event resent
 * has the same id, so a collector can tell a resend from a new event.
 */
export function securityEventId(vin: string, counter: number): string {
  return `${vin}-${counter}`;
}
