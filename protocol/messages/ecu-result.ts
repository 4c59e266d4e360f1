import { z } from 'zod';
import { EcuSerialSchema } from '../vin.ts';

/** How one ECU's update ended. `rollback_failed`: the ECU could not be put back on its old image. */
export const EcuOutcomeSchema = z.enum(['success', 'failed', 'rolled_back', 'rollback_failed']);
export type EcuOutcome = z.infer<typeof EcuOutcomeSchema>;

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
  .refine((r) => r.result === 'success' || r.nrc !== undefined || r.error !== undefined, {
    message: 'a failed ECU result needs an nrc or an error text',
    path: ['error'],
  });
export type EcuResult = z.infer<typeof EcuResultSchema>;
