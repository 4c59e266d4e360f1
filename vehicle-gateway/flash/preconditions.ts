// Decodes the status record of checkProgrammingPreconditions (31 01 0203): 00 = may start, else reasons.
import { PreconditionReason } from '@ota/uds';

export const PRECONDITION_REASONS: Readonly<Record<number, string>> = {
  [PreconditionReason.speedNotZero]: 'vehicle speed is not zero',
  [PreconditionReason.ignitionNotOn]: 'ignition is not on',
  [PreconditionReason.batteryLow]: 'battery below 12.0 V',
  [PreconditionReason.engineRunning]: 'engine running',
};

export type PreconditionCheck = { ok: true } | { ok: false; reasons: string[] };

export function decodePreconditions(status: Uint8Array): PreconditionCheck {
  if (status.length === 0) return { ok: false, reasons: ['empty status record'] };
  if (status.length === 1 && status[0] === 0x00) return { ok: true };
  const reasons = [...status]
    .filter((b) => b !== 0x00)
    .map((b) => PRECONDITION_REASONS[b] ?? `unknown reason 0x${b.toString(16).padStart(2, '0')}`);
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}
