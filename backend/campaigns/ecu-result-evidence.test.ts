import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  insertAuthorisedRelease,
  insertCampaign,
  insertFleet,
  insertUsers,
} from '../../test/integration/delivery/fixtures.ts';
import { useTestDatabase } from '../../test/support/db.ts';
import { decodeMessage } from '@ota/protocol';
import { BlobStore } from '../blobs/store.ts';
import { applyResults } from '../delivery/ingest/apply-results.ts';
import { EVIDENCE_CSV_COLUMNS, exportEvidenceCsv } from './evidence.ts';
import { listedMoves, moveVehicles } from './vehicle-moves.ts';

const database = useTestDatabase();
let blobDir: string;

beforeAll(async () => {
  blobDir = await mkdtemp(join(tmpdir(), 'ecu-result-evidence-'));
});
afterAll(() => rm(blobDir, { recursive: true, force: true }));

async function collect(lines: AsyncGenerator<string>): Promise<string> {
  let text = '';
  for await (const line of lines) text += line;
  return text;
}

describe('ECU results from the wire to the evidence', () => {
  it('keep their one vocabulary: an untouched ECU is not_started, an old gateway success is succeeded', async () => {
    const db = database.db;
    const users = await insertUsers(db);
    const release = await insertAuthorisedRelease(db, new BlobStore(blobDir), {
      hardwareId: 'HW-1',
      version: '2.0.0',
      image: new Uint8Array([1, 2, 3]),
      createdBy: users.creator,
    });
    const [untouched, old] = (
      await insertFleet(db, {
        prefix: 'VOC',
        count: 2,
        hardwareId: 'HW-1',
        baseVersion: '1.0.0',
        baseSha256: () => null,
      })
    ).map((v) => v.vin) as [string, string];
    const { campaignId } = await insertCampaign(db, {
      releaseIds: [release.releaseId],
      vins: [untouched, old],
      waves: [{ cumulativePercent: 100, successThreshold: 1, errorThreshold: 1 }],
      users,
    });
    await moveVehicles(
      db,
      listedMoves([untouched, old].map((vin) => ({ campaignId, vin, to: 'offered', at: new Date() }))),
    );
    const received = (vin: string, outcome: string, result: string) =>
      decodeMessage(
        'result',
        new TextEncoder().encode(
          JSON.stringify({
            campaignId: String(campaignId),
            resultId: `res-${vin}`,
            outcome,
            ecus: [
              { ecuSerial: 'ECU-1', fromVersion: '1.0.0', toVersion: '2.0.0', result, bytesOnBus: 0, durationMs: 0 },
            ],
            error: outcome === 'failed' ? { code: 'failed', message: 'another ECU failed first' } : undefined,
            finishedAt: '2026-03-01T12:00:00Z',
          }),
        ),
      );
    const reports = [
      { vin: untouched, message: received(untouched, 'failed', 'not_started') },
      { vin: old, message: received(old, 'success', 'success') },
    ];
    await applyResults(
      db,
      reports.map(({ vin, message }) => ({
        vin,
        campaignId,
        reportId: message.resultId,
        outcome: message.outcome,
        ecus: message.ecus,
        error: message.error,
      })),
    );
    const csv = await collect(exportEvidenceCsv(database.db, campaignId));
    const resultColumn = EVIDENCE_CSV_COLUMNS.indexOf('result');
    const resultOf = (vin: string) =>
      csv
        .split('\n')
        .find((line) => line.startsWith(vin))
        ?.split(',')[resultColumn];
    expect(resultOf(untouched)).toBe('not_started');
    expect(resultOf(old)).toBe('succeeded');
    const states = await db
      .selectFrom('campaign_ecus')
      .select(['vin', 'result'])
      .where('campaign_id', '=', campaignId)
      .orderBy('vin')
      .execute();
    expect(states).toEqual(
      [
        { vin: untouched, result: 'not_started' },
        { vin: old, result: 'succeeded' },
      ].sort((a, b) => a.vin.localeCompare(b.vin)),
    );
  });
});
