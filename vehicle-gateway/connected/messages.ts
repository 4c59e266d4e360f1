// The gateway's outgoing messages built from its own records: the signed version manifest, the result of an
// update (from its journal report, so a result sent again after a restart is byte-for-byte the same result),
// and the result of an update refused before any ECU was touched.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  formatExpires,
  signManifestNow,
  type MessagePayload,
  type Signer,
  type SignedVehicleManifest,
} from '@ota/protocol';
import type { EcuInventory } from '../inventory/read-inventory.ts';
import { writeFileAtomic } from '../journal/atomic-file.ts';
import type { VehicleUpdateReport } from '../journal/update-record.ts';

type ResultMessage = MessagePayload<'result'>;

/** Stable per update: a redelivered or re-sent result carries the same id. */
export function resultIdOf(updateId: string): string {
  return createHash('sha256').update(updateId).digest('base64url').slice(0, 32);
}

/** The protocol wants a reason for every ECU that did not succeed. */
function errorText(e: VehicleUpdateReport['ecus'][number], report: VehicleUpdateReport): string | null {
  switch (e.result) {
    case 'succeeded':
      return null;
    case 'not_started':
      return 'not started: the update stopped before this ECU; it was not changed';
    case 'rolled_back':
      return `rolled back: ${report.reason ?? 'another ECU failed'}`;
    default:
      return e.error ?? e.result;
  }
}

export function resultFromReport(report: VehicleUpdateReport, campaignId: string): ResultMessage {
  return {
    campaignId,
    resultId: resultIdOf(report.updateId),
    outcome: report.result,
    ecus: report.ecus.map((e) => ({
      ecuSerial: e.serialNumber,
      fromVersion: e.fromVersion || 'unknown',
      toVersion: e.toVersion,
      result: e.result,
      ...(e.nrc !== null ? { nrc: e.nrc } : {}),
      ...(errorText(e, report) !== null ? { error: (errorText(e, report) as string).slice(0, 1000) } : {}),
      bytesOnBus: e.bytesSent,
      durationMs: Math.round(e.durationMs),
    })),
    ...(report.reason !== null ? { error: { code: report.result, message: report.reason.slice(0, 1000) } } : {}),
    finishedAt: formatExpires(new Date(report.finishedAt)),
  };
}

export function refusedResult(
  campaignId: string,
  updateKey: string,
  code: string,
  message: string,
  now: Date,
): ResultMessage {
  return {
    campaignId,
    resultId: resultIdOf(`refused:${updateKey}`),
    outcome: 'failed',
    ecus: [],
    error: { code, message: message.slice(0, 1000) },
    finishedAt: formatExpires(now),
  };
}

/** Manifest counters only go up, across restarts (`<stateDir>/manifest-counter.json`). */
export class ManifestCounter {
  constructor(private readonly stateDir: string) {}

  next(): number {
    const file = join(this.stateDir, 'manifest-counter.json');
    const last = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { counter: number }).counter : -1;
    const counter = last + 1;
    writeFileAtomic(file, JSON.stringify({ counter }));
    return counter;
  }
}

export function buildManifest(
  vin: string,
  inventory: readonly EcuInventory[],
  counter: number,
  key: Signer,
  now: Date,
  lastUpdate?: { campaignId: string; result: ResultMessage },
): SignedVehicleManifest {
  const ecus = inventory.flatMap((e) =>
    e.status === 'complete'
      ? [
          {
            serial: e.serialNumber,
            hardwareId: e.hardwareId,
            version: e.softwareVersion || 'none',
            imageSha256: e.sha256,
          },
        ]
      : [],
  );
  return signManifestNow(
    {
      vin,
      counter,
      ecus,
      ...(lastUpdate
        ? {
            lastUpdate: {
              campaignId: lastUpdate.campaignId,
              outcome: lastUpdate.result.outcome,
              ecus: lastUpdate.result.ecus,
            },
          }
        : {}),
    },
    key,
    now,
  );
}
