// The vehicle definition format that both ends of the gateway–ECU wire agree on: the PUBLIC part of a vehicle
// file (CAN interface, addressing, identification, flash layout, compression methods), i.e. what a tester may
// know about the ECUs. The gateway parses vehicle files with it; the simulator extends it with its private
// `simulation` members (secrets, initial images, preconditions), which a tester's parser accepts and ignores.
// Imports only zod, like the rest of uds/.
import { z } from 'zod';

export const ECU_ACCESS_METHODS = ['seedKey', 'certificate', 'certificateOrSeedKey'] as const;
export type EcuAccessMethod = (typeof ECU_ACCESS_METHODS)[number];

/** A non-negative integer written as a JSON number or as a hex string such as "0x7E0". */
export const intOrHex = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^0x[0-9a-fA-F]+$/, 'must be a number or a hex string like "0x7E0"')
    .transform((s) => Number.parseInt(s.slice(2), 16)),
]);

const hexBytes = (bytes: number, what: string) =>
  z
    .string()
    .regex(
      new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`),
      `must be ${bytes} bytes of hex (${bytes * 2} hex digits): ${what}`,
    );

const canId11 = intOrHex.refine((n) => n <= 0x7ff, 'an 11-bit CAN id is at most 0x7FF');
const address8 = intOrHex.refine((n) => n <= 0xff, 'an address is one byte (at most 0xFF)');

/** ISO 15765-2 normal addressing with 11-bit ids: the tester sends on requestId, the ECU answers on responseId. */
export const normal11AddressingSchema = z.strictObject({
  mode: z.literal('normal11'),
  requestId: canId11,
  responseId: canId11,
  /** Functional (broadcast) request id; default 0x7DF. */
  functionalId: canId11.default(0x7df),
});

/** ISO 15765-2 normal fixed addressing, 29-bit ids 0x18DA<TA><SA> (physical) / 0x18DB<TA><SA> (functional). */
export const normalFixed29AddressingSchema = z.strictObject({
  mode: z.literal('normalFixed29'),
  /** The ECU's own address (TA of requests). */
  ecuAddress: address8,
  /** The tester's address (SA of requests); default 0xF1. */
  testerAddress: address8.default(0xf1),
  /** TA of functional requests; default 0x33 (all OBD ECUs). */
  functionalAddress: address8.default(0x33),
});

export const addressingSchema = z.discriminatedUnion('mode', [normal11AddressingSchema, normalFixed29AddressingSchema]);

export const flashRegionSchema = z.strictObject({
  address: intOrHex.refine((n) => n <= 0xffffffff, 'an address is 32 bits'),
  size: intOrHex.refine((n) => n > 0, 'a region is at least one byte'),
});

/** A compression method the ECU accepts in RequestDownload (dataFormatIdentifier high nibble). */
export const compressionMethodSchema = z.strictObject({
  id: z.number().int().min(0).max(15),
  /** "none" for id 0; "delta" is the project's delta transfer (see README section ecu-sim). */
  name: z.string().min(1),
});

export const flashLayoutSchema = z
  .strictObject({
    banks: z.enum(['single', 'dual']),
    sectorSize: intOrHex.refine((n) => n > 0 && (n & (n - 1)) === 0, 'the sector size is a power of two'),
    eraseTimePerSectorMs: z.number().nonnegative(),
    regions: z.array(flashRegionSchema).min(1, 'an ECU has at least one flash region'),
    compressionMethods: z
      .array(compressionMethodSchema)
      .min(1)
      .refine((m) => m.some((c) => c.id === 0), 'method 0 (no compression) must be supported')
      .refine((m) => new Set(m.map((c) => c.id)).size === m.length, 'compression method ids must be unique')
      .default([{ id: 0, name: 'none' }]),
  })
  .superRefine((layout, ctx) => {
    const sorted = layout.regions.map((r, i) => ({ ...r, i })).sort((a, b) => a.address - b.address);
    sorted.forEach((r, k) => {
      if (r.address % layout.sectorSize !== 0 || r.size % layout.sectorSize !== 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['regions', r.i],
          message: `region address and size must be multiples of the sector size (${layout.sectorSize})`,
        });
      }
      if (r.address + r.size > 0x1_0000_0000) {
        ctx.addIssue({ code: 'custom', path: ['regions', r.i], message: 'region ends beyond the 32-bit space' });
      }
      const next = sorted[k + 1];
      if (next && r.address + r.size > next.address) {
        ctx.addIssue({ code: 'custom', path: ['regions', next.i], message: `overlaps region ${r.i}` });
      }
    });
  });

export const identificationSchema = z.strictObject({
  /** F191: what software releases are built for. */
  hardwareId: z.string().min(1).max(64),
  /** F18C: unique per ECU. */
  serialNumber: z.string().min(1).max(64),
  /** F18A */
  supplier: z.string().min(1).max(64),
  /** F180 */
  bootSoftwareId: z.string().min(1).max(64),
  /** F187 */
  sparePartNumber: z.string().min(1).max(64),
});

export const publicEcuSchema = z.strictObject({
  /** Short unique name, e.g. "ecm". */
  name: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'lower-case letters, digits, "-" or "_", starting with a letter'),
  can: z.strictObject({
    /** SocketCAN interface, e.g. "vcan0". */
    interface: z.string().regex(/^[\w.-]{1,15}$/, 'a network interface name (1-15 characters)'),
    /** CAN FD frames (up to 64 bytes) instead of classical 8-byte frames. */
    fd: z.boolean().default(false),
  }),
  addressing: addressingSchema,
  identification: identificationSchema,
  flash: flashLayoutSchema,
  /** OEM code-signing public key (raw Ed25519, 32 bytes hex) the ECU was provisioned with. */
  codeSigningPublicKey: hexBytes(32, 'a raw Ed25519 public key'),
  /** How a tester gains programming rights: SecurityAccess seed/key (0x27), certificate Authentication (0x29), or
   * 0x29 where the ECU offers it and seed/key where it answers serviceNotSupported. */
  access: z.enum(ECU_ACCESS_METHODS).default('seedKey'),
  /** Simulator-only; a tester ignores it. */
  simulation: z.unknown().optional(),
});

/** Names unique, and no two ECUs listening on the same interface and request address. */
export function checkEcuUniqueness(
  ecus: readonly Pick<PublicEcuDefinition, 'name' | 'can' | 'addressing'>[],
  ctx: z.RefinementCtx,
): void {
  const names = new Set<string>();
  const ids = new Map<string, number>();
  ecus.forEach((ecu, i) => {
    if (names.has(ecu.name)) ctx.addIssue({ code: 'custom', path: ['ecus', i, 'name'], message: 'duplicate name' });
    names.add(ecu.name);
    const key =
      ecu.addressing.mode === 'normal11'
        ? `${ecu.can.interface}/11/${ecu.addressing.requestId}`
        : `${ecu.can.interface}/29/${ecu.addressing.ecuAddress}`;
    const other = ids.get(key);
    if (other !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['ecus', i, 'addressing'],
        message: `same interface and request address as ecus[${other}]`,
      });
    }
    ids.set(key, i);
  });
}

export const vinSchema = z
  .string()
  .regex(/^[A-HJ-NPR-Z0-9]{17}$/, '17 characters, digits and capital letters except I, O, Q');

/**
 * CAN ids other than the ECUs' diagnostic ones that belong on the vehicle's buses (application
 * traffic); the gateway's intrusion check reports any id outside these and the diagnostic ones.
 */
export const knownCanIdsSchema = z
  .array(intOrHex.refine((n) => n <= 0x1fffffff, 'a CAN id is at most 0x1FFFFFFF'))
  .default([]);

export const publicVehicleSchema = z
  .strictObject({
    vin: vinSchema,
    ecus: z.array(publicEcuSchema).min(1, 'a vehicle has at least one ECU'),
    knownCanIds: knownCanIdsSchema,
    /** Simulator-only; a tester ignores it. */
    simulation: z.unknown().optional(),
  })
  .superRefine((v, ctx) => checkEcuUniqueness(v.ecus, ctx));

export type PublicEcuDefinition = z.infer<typeof publicEcuSchema>;
export type PublicVehicleDefinition = z.infer<typeof publicVehicleSchema>;
export type Addressing = z.infer<typeof addressingSchema>;
export type FlashLayout = z.infer<typeof flashLayoutSchema>;
export type FlashRegion = z.infer<typeof flashRegionSchema>;
