// The vehicle's update report from its journal record: exactly what happened to each ECU.
import type {
  EcuRecord,
  EcuReport,
  EcuResult,
  UpdateRecord,
  VehicleResult,
  VehicleUpdateReport,
} from '../journal/update-record.ts';

function ecuResult(r: EcuRecord, vehicleFailed: boolean): EcuResult {
  if (r.rollback === 'failed') return 'rollback_failed';
  if (r.phase === 'failed') return 'failed';
  if (r.phase === 'pending') return 'not_started';
  if (r.rollback === 'done') return 'rolled_back';
  // Flashed in a failed update but never rolled back: report the worst, honestly.
  return vehicleFailed ? 'rollback_failed' : 'succeeded';
}

export function buildReport(record: UpdateRecord, now = new Date()): VehicleUpdateReport {
  const failed = record.failure !== null;
  const ecus: EcuReport[] = record.order.map((name) => {
    const r = record.ecus[name];
    if (!r) throw new Error(`internal: no record for ${name}`);
    const a = r.attempt;
    return {
      ecu: name,
      serialNumber: r.target.serialNumber,
      result: ecuResult(r, failed),
      fromVersion: r.target.fromVersion,
      toVersion: r.target.toVersion,
      step: a?.status === 'failed' ? a.step : null,
      error: r.rollbackError ?? (a?.status === 'failed' ? a.error : null),
      nrc: a?.nrc ?? null,
      nrcName: a?.nrcName ?? null,
      bytesSent: a?.bytesSent ?? 0,
      durationMs: a?.durationMs ?? 0,
    };
  });
  let result: VehicleResult = 'succeeded';
  if (failed) {
    if (ecus.some((e) => e.result === 'rollback_failed')) result = 'rollback_failed';
    else if (ecus.some((e) => e.result === 'rolled_back')) result = 'rolled_back';
    else result = 'failed';
  }
  return { updateId: record.updateId, result, reason: record.failure, ecus, finishedAt: now.toISOString() };
}
