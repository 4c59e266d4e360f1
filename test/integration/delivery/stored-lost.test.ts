/**
 * The backend confirms a stored result (`stored`) at QoS 0: a confirmation lost on the way only makes
 * the vehicle resend its result, which is stored once and confirmed again. Here the first confirmation
 * is lost (the vehicle is not subscribed yet), the result is resent twice, and the campaign ends with
 * the result stored once (one report, one move to succeeded) and each copy confirmed.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeliveryService } from '../../../backend/delivery/service.ts';
import type { DeliveryService } from '../../../backend/delivery/service.ts';
import { decodeMessage, encodeMessage, vehicleTopic } from '@ota/protocol/messages';
import { formatExpires } from '@ota/protocol/tuf';
import { finishedVehicles, runningCampaign } from './fixtures.ts';
import type { RunningCampaign } from './fixtures.ts';
import { harnessServiceOptions, startHarness } from './harness.ts';
import { waitFor } from '../../support/wait-for.ts';
import type { DeliveryHarness } from './harness.ts';

const runId = randomBytes(4).toString('hex');
let h: DeliveryHarness;
let campaign: RunningCampaign;
let service: DeliveryService | undefined;
let car: MqttClient | undefined;

beforeAll(async () => {
  h = await startHarness();
  campaign = await runningCampaign(h.db, { prefix: `SL${runId.slice(0, 3).toUpperCase()}`, count: 1 });
  service = await startDeliveryService({
    ...harnessServiceOptions(h, () => undefined),
    clientId: `stored-lost-${runId}`,
    sharedGroup: `storedlost${runId}`,
    dispatcher: { tickMs: 50 },
    ingester: { flushMs: 10 },
  });
});
afterAll(async () => {
  await car?.endAsync(true);
  await service?.stop({ leaveGroup: true }).catch(() => undefined);
  await h.close();
});

const stateOf = async (vin: string) =>
  (
    await h.db
      .selectFrom('campaign_vehicles')
      .select('state')
      .where('campaign_id', '=', campaign.campaignId)
      .where('vin', '=', vin)
      .executeTakeFirst()
  )?.state;

describe('a lost or repeated `stored` confirmation', () => {
  it('is sent at QoS 0; the resent result is stored once and confirmed again', async () => {
    const vin = campaign.vins[0]!;
    const result = Buffer.from(
      encodeMessage('result', {
        campaignId: String(campaign.campaignId),
        resultId: `stored-lost-${runId}`,
        outcome: 'succeeded',
        ecus: [],
        finishedAt: formatExpires(new Date()),
      }),
    );
    // A result counts once the vehicle was offered the update.
    await waitFor('the offer', async () => (await stateOf(vin)) === 'offered');
    car = await mqtt.connectAsync(h.brokerUrl, { clientId: `stored-lost-car-${runId}`, reconnectPeriod: 200 });
    // Not subscribed to `stored` yet: the first confirmation is lost.
    await car.publishAsync(vehicleTopic(vin, 'result'), result, { qos: 1 });
    await waitFor('the result stored', async () => (await finishedVehicles(h.db, campaign.campaignId)) === 1);

    const confirmations: { qos: number; body: ReturnType<typeof decodeMessage<'stored'>> }[] = [];
    car.on('message', (_topic, payload, packet) =>
      confirmations.push({ qos: packet.qos, body: decodeMessage('stored', payload) }),
    );
    await car.subscribeAsync(vehicleTopic(vin, 'stored'), { qos: 1 });
    // The vehicle resends until confirmed; a copy crossing the confirmation is confirmed too.
    await car.publishAsync(vehicleTopic(vin, 'result'), result, { qos: 1 });
    await car.publishAsync(vehicleTopic(vin, 'result'), result, { qos: 1 });
    await waitFor('two confirmations', async () => confirmations.length === 2);
    const confirmation = {
      kind: 'result',
      campaignId: String(campaign.campaignId),
      resultId: `stored-lost-${runId}`,
      status: 'stored',
    };
    expect(confirmations).toEqual([
      { qos: 0, body: confirmation },
      { qos: 0, body: confirmation },
    ]);
    // Stored once: one report, one move into `succeeded`.
    const once = await sql<{ reports: number; moves: number }>`SELECT
      (SELECT count(*)::int FROM delivery_reports WHERE vin = ${vin} AND campaign_id = ${campaign.campaignId}
        AND kind = 'result') AS reports,
      (SELECT count(*)::int FROM campaign_vehicle_events WHERE vin = ${vin} AND campaign_id = ${campaign.campaignId}
        AND to_state = 'succeeded') AS moves`.execute(h.db);
    expect(once.rows).toEqual([{ reports: 1, moves: 1 }]);
  }, 60_000);
});
