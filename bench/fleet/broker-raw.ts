// The broker's own pace, the peer of the bench's offers/s and results/s. Two ways: one mqtt.js client
// publishing QoS 1 messages as fast as the broker acknowledges them (the broker takes them and, with
// no subscriber, drops them), and the same publisher with one mqtt.js subscriber at QoS 1 receiving
// them (the broker routes each to a subscriber and waits for its acknowledgement, as it does an offer).
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { encodeMessage } from '@ota/protocol/messages';
import { formatExpires } from '@ota/protocol/tuf';

/** Messages each way per second: published and acknowledged, and also delivered to a subscriber. */
export interface BrokerRawRates {
  /** One per round; the best is the peer (another job on the machine in a round would lower it). */
  readonly published: readonly number[];
  readonly delivered: readonly number[];
}

/** `rounds` measurements of each, alternating, so a busy moment of the machine does not fall on one kind only. */
export async function brokerRawRates(url: string, count: number, size: number, rounds = 3): Promise<BrokerRawRates> {
  const published: number[] = [];
  const delivered: number[] = [];
  for (let r = 0; r < rounds; r++) {
    published.push(await rawRateOnce(url, count, size, false));
    delivered.push(await rawRateOnce(url, count, size, true));
  }
  return { published, delivered };
}

// log: as the backend's and the vehicles' clients (mqtt.js's `debug` calls cost CPU per packet).
const connect = (url: string, role: string) =>
  mqtt.connectAsync(url, { clientId: `bench-raw-${role}-${randomBytes(4).toString('hex')}`, log: () => undefined });

/** A subscriber to `filter` at QoS 1 and the moment it has received `count` messages. */
async function subscriberOf(url: string, filter: string, count: number) {
  const client = await connect(url, 'sub');
  let received = 0;
  const allReceived = new Promise<void>((resolve) =>
    client.on('message', () => {
      if (++received === count) resolve();
    }),
  );
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, allReceived };
}

/**
 * One mqtt.js client publishing `count` QoS 1 messages of `size` bytes, 1000 in flight; messages/s
 * until the broker acknowledged them all, or, with `subscribed`, until one subscriber got them all.
 */
async function rawRateOnce(url: string, count: number, size: number, subscribed: boolean): Promise<number> {
  const topic = `bench/raw/${randomBytes(4).toString('hex')}`;
  const subscriber = subscribed ? await subscriberOf(url, `${topic}/+`, count) : undefined;
  const publisher = await connect(url, 'pub');
  const payload = randomBytes(size);
  const start = performance.now();
  for (let i = 0; i < count; i += 1000) {
    const batch = [];
    for (let k = i; k < Math.min(count, i + 1000); k++)
      batch.push(publisher.publishAsync(`${topic}/${k % 1000}`, payload, { qos: 1 }));
    await Promise.all(batch);
  }
  await subscriber?.allReceived;
  const rate = count / ((performance.now() - start) / 1000);
  await publisher.endAsync();
  await subscriber?.client.endAsync();
  return rate;
}

/** An offer of campaign `campaignId` as the backend encodes it, one Buffer to publish to many vehicles. */
export function benchOffer(campaignId: number): Buffer {
  const offer = encodeMessage('offer', {
    campaignId: String(campaignId),
    offeredAt: formatExpires(new Date()),
    downloadBytes: 12345,
    attempt: 1,
  });
  return Buffer.from(offer.buffer, offer.byteOffset, offer.byteLength);
}

/** Bytes of an offer of campaign `campaignId`, the size the raw rate is measured at. */
export const offerSize = (campaignId: number): number => benchOffer(campaignId).length;
