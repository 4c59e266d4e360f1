// The broker's own pace, the peer of the bench's offers/s and results/s: one mqtt.js client publishing
// QoS 1 messages as fast as the broker acknowledges them.
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { encodeMessage } from '@ota/protocol/messages';
import { formatExpires } from '@ota/protocol/tuf';

/**
 * `rounds` measurements of brokerRawRateOnce, whose best is the peer: one round lasts a few seconds,
 * and another job on the machine in those seconds would lower it (and flatter every ratio to it).
 */
export async function brokerRawRate(url: string, count: number, size: number, rounds = 3): Promise<number[]> {
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) rates.push(await brokerRawRateOnce(url, count, size));
  return rates;
}

/** One mqtt.js client publishing `count` QoS 1 messages of `size` bytes, 1000 in flight; messages/s. */
async function brokerRawRateOnce(url: string, count: number, size: number): Promise<number> {
  // log: as the backend's and the vehicles' clients (mqtt.js's `debug` calls cost CPU per packet).
  const client = await mqtt.connectAsync(url, {
    clientId: `bench-raw-${randomBytes(4).toString('hex')}`,
    log: () => undefined,
  });
  const payload = randomBytes(size);
  const start = performance.now();
  for (let i = 0; i < count; i += 1000) {
    const batch = [];
    for (let k = i; k < Math.min(count, i + 1000); k++)
      batch.push(client.publishAsync(`bench/raw/${k % 1000}`, payload, { qos: 1 }));
    await Promise.all(batch);
  }
  const rate = count / ((performance.now() - start) / 1000);
  await client.endAsync();
  return rate;
}

/** Bytes of an offer of campaign `campaignId`, the size the raw rate is measured at. */
export function offerSize(campaignId: number): number {
  return encodeMessage('offer', {
    campaignId: String(campaignId),
    offeredAt: formatExpires(new Date()),
    downloadBytes: 12345,
    attempt: 1,
  }).length;
}
