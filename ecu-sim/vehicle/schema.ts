// The full vehicle definition the simulator reads: the public part (uds/vehicle/definition-schema.ts) plus the simulator-private
// `simulation` members (security secret, initial image, bank policy, preconditions).
import { z } from 'zod';
import { checkEcuUniqueness, knownCanIdsSchema, publicEcuSchema, vinSchema } from '@ota/uds/vehicle';

export const IGNITION_STATES = ['off', 'accessory', 'on', 'cranking'] as const;
export type IgnitionState = (typeof IGNITION_STATES)[number];

export const preconditionsSchema = z.strictObject({
  batteryMv: z.number().int().min(0).max(0xffff).default(12_600),
  speedKmh: z.number().int().min(0).max(0xffff).default(0),
  ignition: z.enum(IGNITION_STATES).default('on'),
  engineRunning: z.boolean().default(false),
});
export type Preconditions = z.infer<typeof preconditionsSchema>;

/** Consecutive frames per flow control the ECU announces unless its definition says otherwise. */
export const DEFAULT_ECU_BLOCK_SIZE = 16;

/** 0x29 Authentication: the backend CA's certificate as trust anchor, and the ECU's own certificate and key (PEM
 * files relative to the vehicle file) that it presents and proves in the bidirectional exchange. */
export const ecuAuthenticationSchema = z.strictObject({
  trustAnchorFile: z.string().min(1),
  certificateFile: z.string().min(1),
  privateKeyFile: z.string().min(1),
  /** Tester roles (certificate OU) that may program; other authenticated roles may not. */
  programmingRoles: z.array(z.string().min(1)).min(1).default(['programming']),
  /** Tester roles accepted at all (certificateVerificationFailedInvalidScope otherwise). */
  testerRoles: z.array(z.string().min(1)).min(1).default(['programming', 'diagnostics']),
});
export type EcuAuthenticationFiles = z.infer<typeof ecuAuthenticationSchema>;

export const ecuSimulationSchema = z.strictObject({
  /** SecurityAccess secret (hex, 16-64 bytes), used when `access` offers seed/key. TEST values only in files that
   * are committed. */
  securitySecret: z.string().regex(/^(?:[0-9a-fA-F]{2}){16,64}$/, 'must be 16-64 bytes of hex'),
  /** F189 of the initial image. */
  softwareVersion: z.string().min(1).max(23),
  /** Initial image of each region, relative to the vehicle file; absent → a deterministic generated image. */
  initialImages: z.array(z.string().min(1)).optional(),
  /** Dual-bank: the bootloader reports eraseOnWrite in F1A2 and rewrites only the sectors a compressed or delta
   * download changes in the inactive bank (false: no F1A2, the tester erases the region first). */
  eraseOnWrite: z.boolean().default(false),
  /** Dual-bank, read-while-write flash: F1A2 reports backgroundErase and routine 0207 erases inactive-bank
   * sectors in the extended session while the application runs (SecurityAccess then works there too). */
  backgroundErase: z.boolean().default(false),
  /** Dual-bank: what the inactive bank holds when provisioned: erased, or a copy of the initial image (like a
   * bank left holding the previous release after an update). Never valid until checkMemory signs it. */
  inactiveBank: z.enum(['erased', 'initialImage']).default('erased'),
  /** Resets without confirmActiveBank (0205) after which a dual-bank ECU falls back to its previous bank. */
  maxUnconfirmedBoots: z.number().int().min(1).max(255).default(3),
  /** maxNumberOfBlockLength of RequestDownload (counts SID and sequence counter); default by frame kind. */
  maxBlockLength: z.number().int().min(3).max(0xffff).optional(),
  /** ISO-TP flow control the ECU sends. BS bounds the frames a tester sends before waiting for the ECU: with
   * BS 0 a 4 KiB TransferData arrives in one burst of ~585 frames, more than a stalled process's SocketCAN
   * receive buffer holds (the kernel then drops frames and the request is lost). 0 = one burst. */
  blockSize: z.number().int().min(0).max(255).default(DEFAULT_ECU_BLOCK_SIZE),
  stMin: z.number().int().min(0).max(255).default(0),
  authentication: ecuAuthenticationSchema.optional(),
  /** P2server / P2*server the ECU advertises in its DiagnosticSessionControl response (ms). */
  p2ServerMs: z.number().int().min(1).max(0xffff).default(50),
  p2StarServerMs: z
    .number()
    .int()
    .min(10)
    .max(0xffff * 10)
    .default(5000),
});
export type EcuSimulation = z.infer<typeof ecuSimulationSchema>;

export const vehicleSimulationSchema = z.strictObject({
  preconditions: preconditionsSchema.default({ batteryMv: 12_600, speedKmh: 0, ignition: 'on', engineRunning: false }),
  /** The TEST code-signing private key (raw Ed25519 seed, hex, in a file relative to the vehicle file). */
  testSigningKeyFile: z.string().min(1),
});

export const ecuSchema = publicEcuSchema.extend({ simulation: ecuSimulationSchema }).superRefine((ecu, ctx) => {
  const images = ecu.simulation.initialImages;
  if (images && images.length !== ecu.flash.regions.length) {
    ctx.addIssue({
      code: 'custom',
      path: ['simulation', 'initialImages'],
      message: `one image per flash region (${ecu.flash.regions.length}), not ${images.length}`,
    });
  }
  if (ecu.access !== 'seedKey' && !ecu.simulation.authentication) {
    ctx.addIssue({
      code: 'custom',
      path: ['simulation', 'authentication'],
      message: `access "${ecu.access}" needs the trust anchor, certificate and key files`,
    });
  }
});

export const vehicleSchema = z
  .strictObject({
    vin: vinSchema,
    ecus: z.array(ecuSchema).min(1, 'a vehicle has at least one ECU'),
    knownCanIds: knownCanIdsSchema,
    simulation: vehicleSimulationSchema,
  })
  .superRefine((v, ctx) => checkEcuUniqueness(v.ecus, ctx));

export type EcuDefinition = z.infer<typeof ecuSchema>;
export type VehicleDefinition = z.infer<typeof vehicleSchema>;
