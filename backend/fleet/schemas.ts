import { z } from '@hono/zod-openapi';
import { label } from '../http/schema-fields.ts';
import { ASIL_RATINGS, ECU_EXPOSURES, VEHICLE_LIFECYCLES } from './types.ts';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256 (64 characters)');

/** 17 characters, digits and capital letters except I, O and Q (ISO 3779). */
export const Vin = z
  .string()
  .regex(/^[A-HJ-NPR-Z0-9]{17}$/, 'a VIN is 17 characters: digits and capital letters except I, O, Q')
  .openapi({ example: '1HGCM82633A004352' });

export const VinParam = z.object({ vin: Vin.openapi({ param: { name: 'vin', in: 'path' } }) });

/** The gateway's Ed25519 public key: 32 raw bytes, base64. */
const Ed25519PublicKey = z
  .string()
  .refine((s) => /^[A-Za-z0-9+/]{43}=$/.test(s) && Buffer.from(s, 'base64').length === 32, {
    message: 'an Ed25519 public key: 32 bytes, base64',
  });

const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'an IANA time zone such as Europe/Berlin' },
);

export const VehicleModelInput = z.object({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - (max 64)'),
  name: z.string().trim().min(1).max(200),
  endOfSupport: z.iso.date().nullable().default(null),
});
export const VehicleModel = z
  .object({ id: z.string(), name: z.string(), endOfSupport: z.string().nullable() })
  .openapi('VehicleModel');

export const EcuInput = z.object({
  serial: label(64),
  name: label(64),
  hardwareId: label(64),
  installedVersion: label(64),
  imageSha256: sha256.nullable().default(null),
  asil: z.enum(ASIL_RATINGS).nullable().default(null),
  /** Reachable from outside the vehicle, or only over its internal bus (null: not known). */
  exposure: z.enum(ECU_EXPOSURES).nullable().default(null),
});

export const VehicleInput = z.object({
  vin: Vin,
  modelId: z.string().min(1).max(64),
  modelYear: z.number().int().min(1980).max(2100),
  region: label(32),
  ownerRef: z.string().trim().min(1).max(200).nullable().default(null),
  tags: z.array(label(64)).max(50).default([]),
  gatewayPublicKey: Ed25519PublicKey.nullable().default(null),
  timeZone: timeZone.default('UTC'),
  ecus: z
    .array(EcuInput)
    .max(200)
    .default([])
    .refine((ecus) => new Set(ecus.map((e) => e.serial)).size === ecus.length, {
      message: 'ECU serials must be unique',
    }),
});

export const Ecu = EcuInput.extend({ updatedAt: z.string() }).openapi('Ecu');
export const Vehicle = z
  .object({
    vin: z.string(),
    modelId: z.string(),
    modelYear: z.number().int(),
    region: z.string(),
    ownerRef: z.string().nullable(),
    tags: z.array(z.string()),
    gatewayPublicKey: z.string().nullable(),
    timeZone: z.string(),
    lifecycle: z.enum(VEHICLE_LIFECYCLES),
    createdAt: z.string(),
    updatedAt: z.string(),
    ecus: z.array(Ecu),
  })
  .openapi('Vehicle');

export const VehicleListQuery = z.object({
  modelId: z.string().max(64).optional(),
  region: z.string().max(32).optional(),
  lifecycle: z.enum(VEHICLE_LIFECYCLES).optional(),
  tag: z.string().max(64).optional(),
  hardwareId: z.string().max(64).optional(),
  modelYear: z.coerce.number().int().min(1980).max(2100).optional(),
  installedVersion: z.string().max(64).optional().openapi({ description: 'an ECU (of hardwareId, if given) runs it' }),
  vinPrefix: z
    .string()
    .max(17)
    .regex(/^[A-HJ-NPR-Z0-9]*$/, 'VIN characters only')
    .optional(),
});

export const LifecycleChange = z.object({
  to: z.enum(VEHICLE_LIFECYCLES),
  reason: z.string().trim().min(1).max(2000),
  newOwnerRef: z.string().trim().min(1).max(200).nullable().optional(),
  newGatewayPublicKey: Ed25519PublicKey.nullable().optional(),
});

export const InstalledVersions = z.object({
  ecus: z
    .array(z.object({ serial: label(64), installedVersion: label(64), imageSha256: sha256.nullable().default(null) }))
    .min(1)
    .max(200),
});

export const VersionChange = z
  .object({
    ecuSerial: z.string(),
    hardwareId: z.string(),
    fromVersion: z.string().nullable(),
    toVersion: z.string(),
    imageSha256: z.string().nullable(),
    source: z.string(),
    at: z.string(),
  })
  .openapi('VersionChange');
