/**
 * Two backend instances' rollout evaluators on one campaign (two connection pools to one real
 * PostgreSQL database): an evaluation never runs while another holds the campaign's evaluation
 * lock, and a change committed meanwhile is still evaluated once that one is over.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RolloutEvaluator } from '../../../backend/campaigns/rollout-evaluator.ts';
import { listedMoves, moveVehicles } from '../../../backend/campaigns/vehicle-moves.ts';
import { lockForTransaction, lockKeys } from '../../../backend/db/advisory-lock.ts';
import { createDatabase } from '../../../backend/db/database.ts';
import type { Db } from '../../../backend/db/database.ts';
import { Ingester } from '../../../backend/delivery/ingest/ingester.ts';
import { connectBroker } from '../../../backend/mqtt/broker-client.ts';
import { encodeMessage, vehicleTopic } from '@ota/protocol/messages';
import { formatExpires } from '@ota/protocol/tuf';
import type { TestDatabase } from '../../support/db.ts';
import { runningCampaign } from './fixtures.ts';
import { startHarness } from './harness.ts';
import { waitFor } from '../../support/wait-for.ts';
import type { DeliveryHarness } from './harness.ts';

let h: DeliveryHarness;
let testDb: TestDatabase;
/** The second instance's own pool (the first uses testDb.db). */
let otherDb: Db;
const logs: string[] = [];
const log = (line: string) => logs.push(line);

beforeAll(async () => {
  h = await startHarness();
  testDb = h.testDb;
  if (!testDb.url) throw new Error('needs real PostgreSQL (DATABASE_URL): two instances need two connections');
  otherDb = createDatabase({ url: testDb.url });
});
afterAll(async () => {
  await otherDb.destroy();
  await h.close();
});

/** A running campaign of two waves over `count` vehicles: wave 1 is the first half, all must succeed. */
async function twoWaveCampaign(prefix: string, count: number): Promise<{ id: number; wave1: string[] }> {
  const db = testDb.db;
  const { campaignId } = await runningCampaign(db, {
    prefix,
    count,
    hardwareId: 'HW-EVAL',
    waves: [
      { cumulativePercent: 50, successThreshold: 1, errorThreshold: 1 },
      { cumulativePercent: 100, successThreshold: 1, errorThreshold: 1 },
    ],
  });
  const wave1 = await db
    .selectFrom('campaign_vehicles')
    .select('vin')
    .where('campaign_id', '=', campaignId)
    .where('wave_no', '=', 1)
    .execute();
  return { id: campaignId, wave1: wave1.map((r) => r.vin) };
}

/** Every listed vehicle is offered (as the dispatcher does), committed. */
async function offer(db: Db, campaignId: number, vins: readonly string[]): Promise<void> {
  const at = new Date();
  await moveVehicles(db, listedMoves(vins.map((vin) => ({ campaignId, vin, to: 'offered', at }))));
}

/** Every listed vehicle reports success (as the ingester's write does), committed. */
async function succeed(db: Db, campaignId: number, vins: readonly string[]): Promise<void> {
  await offer(db, campaignId, vins);
  await moveVehicles(db, listedMoves(vins.map((vin) => ({ campaignId, vin, to: 'succeeded', at: new Date() }))));
}

const currentWave = async (id: number) =>
  (await testDb.db.selectFrom('campaigns').select('current_wave').where('id', '=', id).executeTakeFirstOrThrow())
    .current_wave;

describe('rollout evaluation across instances', () => {
  it('skips while another instance evaluates, then evaluates the change committed meanwhile', async () => {
    const { id, wave1 } = await twoWaveCampaign('EVA', 6);
    const instanceB = new RolloutEvaluator({ db: otherDb, log });
    // Instance A is evaluating: it holds the campaign's evaluation lock and read the counts before the change.
    let releaseA: () => void = () => undefined;
    const released = new Promise<void>((r) => (releaseA = r));
    let heldByA: () => void = () => undefined;
    const held = new Promise<void>((r) => (heldByA = r));
    const instanceA = testDb.db.transaction().execute(async (trx) => {
      await lockForTransaction(trx, lockKeys.campaignWaveEvaluation(id));
      heldByA();
      await released;
    });
    await held;

    await succeed(otherDb, id, wave1);
    instanceB.notify([id]);
    await waitFor('instance B to find the evaluation taken', async () => instanceB.busy >= 2);
    expect(instanceB.evaluations).toBe(0);
    expect(await currentWave(id)).toBe(1);

    releaseA();
    await instanceA;
    await instanceB.settled();
    expect(instanceB.evaluations).toBe(1);
    expect(instanceB.decisions).toEqual([{ campaignId: id, decision: { action: 'advanced', fromWave: 1, toWave: 2 } }]);
    expect(await currentWave(id)).toBe(2);
    await instanceB.stop();
  });

  it('two evaluators notified together take turns and leave one decision per change', async () => {
    const { id, wave1 } = await twoWaveCampaign('EVB', 8);
    const evaluators = [new RolloutEvaluator({ db: testDb.db, log }), new RolloutEvaluator({ db: otherDb, log })];
    await succeed(testDb.db, id, wave1);
    for (let round = 0; round < 20; round++) for (const e of evaluators) e.notify([id]);
    await Promise.all(evaluators.map((e) => e.settled()));

    expect(await currentWave(id)).toBe(2);
    const decisions = evaluators.flatMap((e) => e.decisions.map((d) => d.decision.action));
    expect(decisions).toEqual(['advanced']);
    const started = await testDb.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'campaign')
      .where('entity_id', '=', String(id))
      .where('action', '=', 'campaign.wave_started')
      .execute();
    expect(started).toHaveLength(1);
    await Promise.all(evaluators.map((e) => e.stop()));
  });

  it('keeps only the latest decisions (a long-running service would otherwise hold every one)', async () => {
    const campaigns = [
      await twoWaveCampaign('EVK', 2),
      await twoWaveCampaign('EVL', 2),
      await twoWaveCampaign('EVM', 2),
    ];
    for (const c of campaigns) await succeed(testDb.db, c.id, c.wave1);
    const evaluator = new RolloutEvaluator({ db: testDb.db, log }, { keepDecisions: 2 });
    for (const c of campaigns) {
      evaluator.notify([c.id]);
      await evaluator.settled();
    }
    expect(evaluator.evaluations).toBe(3);
    const advanced = { action: 'advanced', fromWave: 1, toWave: 2 };
    expect(evaluator.decisions).toEqual(campaigns.slice(1).map((c) => ({ campaignId: c.id, decision: advanced })));
    await evaluator.stop();
  });

  it('the periodic pass evaluates a change another instance committed without telling this one', async () => {
    const { id, wave1 } = await twoWaveCampaign('EVC', 4);
    const evaluator = new RolloutEvaluator({ db: testDb.db, log }, { periodMs: 100 });
    evaluator.start();
    await succeed(otherDb, id, wave1);
    await waitFor('the next wave to start', async () => (await currentWave(id)) === 2);
    await evaluator.stop();
  });

  it('an evaluation waiting on the campaign row holds up no report write', async () => {
    const { id, wave1 } = await twoWaveCampaign('EVD', 4);
    await offer(testDb.db, id, wave1);
    const evaluator = new RolloutEvaluator({ db: testDb.db, log });
    const broker = await connectBroker({ url: h.brokerUrl, clientId: `evaluator-test-${id}` });
    const ingester = new Ingester(
      { db: testDb.db, broker, replies: broker, offers: broker, log, countsChanged: (ids) => evaluator.notify(ids) },
      { flushMs: 10 },
    );
    const acked: string[] = [];
    const report = (vin: string) => {
      const result = { campaignId: String(id), resultId: `result-${vin}`, outcome: 'succeeded' as const, ecus: [] };
      const payload = encodeMessage('result', { ...result, finishedAt: formatExpires(new Date()) });
      ingester.push({ vin, kind: 'result', topic: vehicleTopic(vin, 'result'), payload, ack: () => acked.push(vin) });
    };
    // A manager's change of the campaign is under way (row locked FOR NO KEY UPDATE, as an UPDATE
    // of its state does): the evaluation after the first result waits for it.
    let releaseRow: () => void = () => undefined;
    const released = new Promise<void>((r) => (releaseRow = r));
    let locked: () => void = () => undefined;
    const rowLocked = new Promise<void>((r) => (locked = r));
    const manager = otherDb.transaction().execute(async (trx) => {
      await sql`UPDATE campaigns SET updated_at = now() WHERE id = ${id}`.execute(trx);
      locked();
      await released;
    });
    await rowLocked;
    try {
      report(wave1[0]!);
      await ingester.flush();
      await waitFor('the evaluation to wait on the row', async () => {
        const waiting = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%"campaigns"%'`.execute(
          otherDb,
        );
        return waiting.rows[0]!.n > 0;
      });
      for (const vin of wave1.slice(1)) report(vin);
      await ingester.flush();
      expect(acked.sort()).toEqual([...wave1].sort());
    } finally {
      releaseRow();
      await manager;
    }
    await evaluator.settled();
    expect(await currentWave(id)).toBe(2);
    await ingester.drain();
    await broker.close();
    await evaluator.stop();
  });
});
