// The persisted state of one vehicle update: written (atomically) before every step the gateway takes, so a
// restarted gateway knows exactly where it stopped. See update/run-update.ts for the transitions.
import { z } from 'zod';
import { FLASH_STEPS } from '../flash/result.ts';
import { ECU_OUTCOMES, VEHICLE_OUTCOMES } from '@ota/protocol';
import type { EcuOutcome, VehicleOutcome } from '@ota/protocol';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const ecuTargetSchema = z.strictObject({
  ecu: z.string().min(1),
  serialNumber: z.string().min(1),
  hardwareId: z.string().min(1),
  fromVersion: z.string(),
  fromSha256: sha256,
  toVersion: z.string().min(1),
  toSha256: sha256,
  /** ECUs that must be flashed before this one. */
  dependsOn: z.array(z.string()).default([]),
});
export type EcuTarget = z.infer<typeof ecuTargetSchema>;

export const attemptSchema = z.strictObject({
  status: z.enum(['succeeded', 'failed']),
  step: z.enum(FLASH_STEPS).nullable(),
  error: z.string().nullable(),
  nrc: z.number().int().nullable(),
  nrcName: z.string().nullable(),
  memoryTouched: z.boolean(),
  bytesSent: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
  methods: z.array(z.string()),
});
export type FlashAttempt = z.infer<typeof attemptSchema>;

export const ECU_PHASES = ['pending', 'flashing', 'flashed', 'confirmed', 'failed'] as const;

export const ecuRecordSchema = z.strictObject({
  target: ecuTargetSchema,
  phase: z.enum(ECU_PHASES),
  /** The step being taken (recorded before it is taken). */
  step: z.enum(FLASH_STEPS).nullable(),
  attempt: attemptSchema.nullable(),
  rollback: z.enum(['in_progress', 'done', 'failed']).nullable(),
  rollbackError: z.string().nullable(),
});
export type EcuRecord = z.infer<typeof ecuRecordSchema>;

// The protocol's vocabulary, recorded as it will be reported.
export type EcuResult = EcuOutcome;
export type VehicleResult = VehicleOutcome;

export const ecuReportSchema = z.strictObject({
  ecu: z.string(),
  serialNumber: z.string(),
  result: z.enum(ECU_OUTCOMES),
  fromVersion: z.string(),
  toVersion: z.string(),
  step: z.enum(FLASH_STEPS).nullable(),
  error: z.string().nullable(),
  nrc: z.number().int().nullable(),
  nrcName: z.string().nullable(),
  bytesSent: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
});
export type EcuReport = z.infer<typeof ecuReportSchema>;

export const vehicleReportSchema = z.strictObject({
  updateId: z.string(),
  result: z.enum(VEHICLE_OUTCOMES),
  /** Why the update did not succeed, in one sentence (null on success). */
  reason: z.string().nullable(),
  ecus: z.array(ecuReportSchema),
  finishedAt: z.string(),
});
export type VehicleUpdateReport = z.infer<typeof vehicleReportSchema>;

export const updateRecordSchema = z.strictObject({
  format: z.literal(1),
  updateId: z.string().min(1),
  /** Free reference (campaign id) written into the ECUs' fingerprints. */
  reference: z.string(),
  /** The offer's attempt at that campaign (connected mode; absent in older journals: 1). */
  attempt: z.number().int().min(1).optional(),
  phase: z.enum(['flashing', 'confirming', 'rolling_back', 'finished']),
  /** Dependency order; rollback goes in reverse. */
  order: z.array(z.string()),
  ecus: z.record(z.string(), ecuRecordSchema),
  failure: z.string().nullable(),
  report: vehicleReportSchema.nullable(),
  /** Set once the report was handed to the backend (connected mode). */
  reported: z.boolean(),
  startedAt: z.string(),
  restarts: z.number().int().nonnegative(),
});
export type UpdateRecord = z.infer<typeof updateRecordSchema>;
