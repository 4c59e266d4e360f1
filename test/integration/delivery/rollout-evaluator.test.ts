/**
 * Two backend instances' rollout evaluators on one campaign (two connection pools to one real
 * PostgreSQL database): an evaluation never runs while another holds the campaign's evaluation
 * lock, and a change committed meanwhile is still evaluated once that one is over.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RolloutEvaluator } from '../../../backend/campaigns/rollout-evaluator.ts';
import { listedMoves, moveVehicles } from '../../../backend/campaigns/vehicle-moves.ts';
import { createDatabase } from '../../../backend/db/database.ts';
import type { Db } from '../../../backend/db/database.ts';
import { createTestDatabase } from '../../support/db.ts';
import type { TestDatabase } from '../../support/db.ts';
import { insertCampaign, insertFleet, insertUsers, startCampaign } from './fixtures.ts';
import { destroyTestDatabase, waitUntil } from './harness.ts';

let testDb: TestDatabase;
/** The second instance's own pool (the first uses testDb.db). */
let otherDb: Db;
const logs: string[] = [];
const log = (line: string) => logs.push(line);

beforeAll(async () => {
  testDb = await createTestDatabase();
  if (!testDb.url) throw new Error('needs real PostgreSQL (DATABASE_URL): two instances need two connections');
  otherDb = createDatabase({ url: testDb.url });
});
afterAll(async () => {
  await otherDb.destroy();
  await destroyTestDatabase(testDb);
});

/** A running campaign of two waves over `count` vehicles: wave 1 is the first half, all must succeed. */
async function twoWaveCampaign(prefix: string, count: number): Promise<{ id: number; wave1: string[] }> {
  const db = testDb.db;
  const fleet = await insertFleet(db, {
    prefix,
    count,
    hardwareId: 'HW-EVAL',
    baseVersion: '1.0.0',
    baseSha256: () => null,
  });
  const vins = fleet.map((v) => v.vin);
  const { campaignId } = await insertCampaign(db, {
    releaseIds: [],
    vins,
    waves: [
      { cumulativePercent: 50, successThreshold: 1, errorThreshold: 1 },
      { cumulativePercent: 100, successThreshold: 1, errorThreshold: 1 },
    ],
    users: await insertUsers(db),
  });
  await startCampaign(db, campaignId);
  const wave1 = await db
    .selectFrom('campaign_vehicles')
    .select('vin')
    .where('campaign_id', '=', campaignId)
    .where('wave_no', '=', 1)
    .execute();
  return { id: campaignId, wave1: wave1.map((r) => r.vin) };
}

/** Every listed vehicle reports success (as the ingester's write does), committed. */
async function succeed(db: Db, campaignId: number, vins: readonly string[]): Promise<void> {
  const at = new Date();
  await moveVehicles(db, listedMoves(vins.map((vin) => ({ campaignId, vin, to: 'offered', at }))));
  await moveVehicles(db, listedMoves(vins.map((vin) => ({ campaignId, vin, to: 'succeeded', at }))));
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
      await sql`SELECT pg_advisory_xact_lock(hashtext('campaign_wave_evaluation'), ${id}::int)`.execute(trx);
      heldByA();
      await released;
    });
    await held;

    await succeed(otherDb, id, wave1);
    instanceB.notify([id]);
    await waitUntil('instance B to find the evaluation taken', async () => instanceB.busy >= 2);
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

  it('the periodic pass evaluates a change another instance committed without telling this one', async () => {
    const { id, wave1 } = await twoWaveCampaign('EVC', 4);
    const evaluator = new RolloutEvaluator({ db: testDb.db, log }, { periodMs: 100 });
    evaluator.start();
    await succeed(otherDb, id, wave1);
    await waitUntil('the next wave to start', async () => (await currentWave(id)) === 2);
    await evaluator.stop();
  });
});
