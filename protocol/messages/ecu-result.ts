import { z } from 'zod';
import { EcuSerialSchema } from '../vin.ts';

/**
 * How one ECU's update ended: the one vocabulary of gateway, wire, backend, database and evidence.
 * `rollback_failed`: the ECU could not be put back on its old image; `not_started`: the update
 * stopped before this ECU, which was not changed.
 */
export const ECU_OUTCOMES = ['succeeded', 'failed', 'rolled_back', 'rollback_failed', 'not_started'] as const;
export type EcuOutcome = (typeof ECU_OUTCOMES)[number];
/** How a vehicle's update ended: every ECU updated, or the worst of what happened to them. */
export const VEHICLE_OUTCOMES = ['succeeded', 'failed', 'rolled_back', 'rollback_failed'] as const;
export type VehicleOutcome = (typeof VEHICLE_OUTCOMES)[number];
/** The outcomes that need a reason (an NRC or an error text). */
const FAILURES: readonly EcuOutcome[] = ['failed', 'rolled_back', 'rollback_failed'];

/** Gateways before the one vocabulary sent `success` for `succeeded`; read, never written. */
const fromOldGateways = (value: unknown) => (value === 'success' ? 'succeeded' : value);
export const EcuOutcomeSchema = z.preprocess(fromOldGateways, z.enum(ECU_OUTCOMES));
export const VehicleOutcomeSchema = z.preprocess(fromOldGateways, z.enum(VEHICLE_OUTCOMES));

/** One ECU's update record, as the gateway reports it (result message and manifest). */
export const EcuResultSchema = z
  .object({
    ecuSerial: EcuSerialSchema,
    fromVersion: z.string().min(1),
    toVersion: z.string().min(1),
    result: EcuOutcomeSchema,
    /** UDS negative response code (ISO 14229-1), when an ECU refused a request. */
    nrc: z.number().int().min(0).max(0xff).optional(),
    /** Free text for failures without an NRC (timeout, hash mismatch, ...). */
    error: z.string().max(1000).optional(),
    /** Bytes sent to the ECU over CAN (ISO-TP payload), after any compression. */
    bytesOnBus: z.number().int().nonnegative(),
    durationMs: z.number().int().nonnegative(),
  })
  .refine((r) => !FAILURES.includes(r.result) || r.nrc !== undefined || r.error !== undefined, {
    message: 'a failed ECU result needs an nrc or an error text',
    path: ['error'],
  });
export type EcuResult = z.infer<typeof EcuResultSchema>;
