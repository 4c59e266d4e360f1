/**
 * The delivery service receives on one broker connection and publishes on two others: offers on
 * one, replies (`stored`, metadata, chunks) on the other. Mosquitto reads one packet per connection
 * per turn of its loop, so the receiving connection carries only the reports' PUBACKs. Measured by
 * the bytes each connection wrote while simulated gateways run a campaign to the end.
 */
import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeliveryService } from '../../../backend/delivery/service.ts';
import type { DeliveryService } from '../../../backend/delivery/service.ts';
import type { BrokerClient } from '../../../backend/mqtt/broker-client.ts';
import { encodeMessage } from '@ota/protocol/messages';
import {
  expectEachSucceededOnce,
  finishedVehicles,
  seedDeltaCampaign,
  startCampaign,
  startCampaignFleet,
} from './fixtures.ts';
import type { Fleet } from './fixtures.ts';
import { harnessServiceOptions, startHarness } from './harness.ts';
import type { DeliveryHarness } from './harness.ts';
import { waitFor } from '../../support/wait-for.ts';

const VEHICLES = 12;
const runId = randomBytes(4).toString('hex');
let h: DeliveryHarness;
let service: DeliveryService | undefined;
let fleet: Fleet | undefined;

/** Bytes the connection's socket wrote (mqtt.js's stream is a net.Socket for mqtt:// URLs). */
function written(client: BrokerClient): number {
  const stream: unknown = client.mqtt.stream;
  if (!(stream instanceof Socket)) throw new Error('the broker connection is not a TCP socket');
  return stream.bytesWritten;
}

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await fleet?.stop();
  await service?.stop().catch(() => undefined);
  await h.close();
});

describe('the delivery service broker connections', () => {
  it('publishes offers and replies on connections of their own; the receiving one sends only acknowledgements', async () => {
    const { base, vehicles, campaignId } = await seedDeltaCampaign(h.db, h.blobs, h.keys, {
      prefix: `PUB${runId.slice(0, 3).toUpperCase()}`,
      count: VEHICLES,
      hardwareId: 'HW-PUBCONN',
      imageBytes: 4096,
      pacingPerMinute: 6000,
    });
    service = await startDeliveryService({
      ...harnessServiceOptions(h, () => undefined),
      clientId: `publishers-test-${runId}`,
      sharedGroup: `publishers${runId}`,
      dispatcher: { tickMs: 100 },
      ingester: { flushMs: 10 },
    });
    const before = service.connections.map(written);
    fleet = await startCampaignFleet(h.db, {
      url: h.brokerUrl,
      vehicles,
      hardwareId: 'HW-PUBCONN',
      baseSha256: base.sha256,
      resendMs: 30_000,
    });
    await startCampaign(h.db, campaignId);
    await waitFor(
      'every vehicle finished',
      async () => (await finishedVehicles(h.db, campaignId)) === VEHICLES,
      60_000,
    );
    await expectEachSucceededOnce(h.db, campaignId, VEHICLES);

    const [receiving, offers, replies] = service.connections.map((client, k) => written(client) - before[k]!);
    // The smallest reply a vehicle gets: a `stored` confirmation (topic and payload alone).
    const stored = encodeMessage('stored', { kind: 'manifest', counter: 1, status: 'stored' }).length;
    expect(offers).toBeGreaterThan(VEHICLES * 100);
    expect(replies).toBeGreaterThan(VEHICLES * stored);
    // PUBACKs (4 bytes each: a result and a few manifests per vehicle) and keep-alive pings.
    expect(receiving).toBeLessThan(VEHICLES * stored);
  });
});
