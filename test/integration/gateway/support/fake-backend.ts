// Plays the backend's side of the MQTT protocol for the gateway tests (the real one lives in backend/delivery
// and these tests must not depend on it): offers a campaign, answers metadata and chunk requests from a
// Campaign, collects progress, results and manifests. `stopServingAfter` simulates a link that drops mid-download.
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import {
  decodeMessage,
  encodeChunkFrame,
  encodeMessage,
  parseVehicleTopic,
  subscriptionFilter,
  vehicleTopic,
  type MessagePayload,
} from '@ota/protocol';
import type { Campaign } from './campaign-repos.ts';

export interface Broker {
  url: string;
  close(): Promise<void>;
}

/** MQTT_URL when set, else an in-process aedes broker (MQTT 3.1.1 only). */
export async function startBroker(): Promise<Broker> {
  if (process.env.MQTT_URL) return { url: process.env.MQTT_URL, close: async () => undefined };
  const aedes = await Aedes.createBroker({});
  const server: Server = createServer((socket) => aedes.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      server.close();
      server.unref();
    },
  };
}

export class FakeBackend {
  results: MessagePayload<'result'>[] = [];
  manifests: unknown[] = [];
  /** Signed security events as received (a resent one appears again). */
  securityEvents: MessagePayload<'security-event'>[] = [];
  progress: MessagePayload<'progress'>[] = [];
  /** Live (not retained) status messages: a gateway's offline one is the last thing it sent before it stopped. */
  statuses: MessagePayload<'status'>[] = [];
  chunkBytesServed = 0;
  /** Stop answering chunk requests once this many bytes were served (null: never). */
  stopServingAfter: number | null = null;
  /** Metadata requests received, answered or not. */
  metadataRequests = 0;
  /** Leave this many of the next metadata requests unanswered. */
  ignoreMetadataRequests = 0;
  private campaign: Campaign | null = null;
  private waiters: (() => void)[] = [];

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      if (!packet.retain) this.onMessage(topic, payload);
    });
  }

  static async connect(url: string): Promise<FakeBackend> {
    const client = await mqtt.connectAsync(url, {
      protocolVersion: 4,
      clientId: `backend-${Math.random().toString(36).slice(2)}`,
    });
    const backend = new FakeBackend(client);
    await client.subscribeAsync(
      ['metadata/request', 'chunks/request', 'result', 'manifest', 'progress', 'security-event', 'status'].map((k) =>
        subscriptionFilter(k as never),
      ),
      { qos: 1 },
    );
    return backend;
  }

  async offer(vin: string, campaign: Campaign, attempt = 1): Promise<void> {
    this.campaign = campaign;
    const downloadBytes = [...campaign.blobs.values()].reduce((n, b) => n + b.length, 0);
    await this.client.publishAsync(
      vehicleTopic(vin, 'offer'),
      Buffer.from(
        encodeMessage('offer', {
          campaignId: campaign.campaignId,
          offeredAt: '2026-03-01T12:00:00Z',
          downloadBytes,
          attempt,
        }),
      ),
      { qos: 1 },
    );
  }

  /** Resolves when `predicate` holds (checked after every message). */
  until(predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('fake backend: timed out waiting')), timeoutMs);
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  private onMessage(topic: string, payload: Buffer): void {
    const parsed = parseVehicleTopic(topic);
    if (!parsed) return;
    const { vin, kind } = parsed;
    if (kind === 'metadata/request') {
      const req = decodeMessage('metadata/request', payload);
      this.metadataRequests++;
      if (this.ignoreMetadataRequests > 0) {
        this.ignoreMetadataRequests--; // lost on the way, as far as the vehicle can tell
        return;
      }
      const c = this.campaign;
      const response: MessagePayload<'metadata/response'> =
        c && c.campaignId === req.campaignId
          ? {
              requestId: req.requestId,
              status: 'ok',
              campaignId: c.campaignId,
              image: c.metadata.image,
              director: c.metadata.director,
            }
          : { requestId: req.requestId, status: 'error', error: { code: 'unknown_campaign', message: req.campaignId } };
      this.#answer(vehicleTopic(vin, 'metadata/response'), Buffer.from(encodeMessage('metadata/response', response)));
    } else if (kind === 'chunks/request') {
      const req = decodeMessage('chunks/request', payload);
      const blob = this.campaign?.blobs.get(req.sha256);
      if (!blob) return;
      for (const r of req.ranges) {
        if (this.stopServingAfter !== null && this.chunkBytesServed >= this.stopServingAfter) break;
        const data = blob.subarray(r.offset, Math.min(blob.length, r.offset + r.length));
        this.chunkBytesServed += data.length;
        const frame = encodeChunkFrame(
          {
            requestId: req.requestId,
            sha256: req.sha256,
            offset: r.offset,
            length: data.length,
            totalLength: blob.length,
          },
          data,
        );
        this.#answer(vehicleTopic(vin, 'chunks/data'), Buffer.from(frame));
      }
    } else if (kind === 'result') {
      const result = decodeMessage('result', payload);
      this.results.push(result);
      const { campaignId, resultId } = result;
      this.confirm(vin, { kind: 'result', campaignId, resultId, status: 'stored' });
    } else if (kind === 'manifest') {
      const manifest = JSON.parse(payload.toString('utf8')) as { signed: { counter: number } };
      this.manifests.push(manifest);
      this.confirm(vin, { kind: 'manifest', counter: manifest.signed.counter, status: 'stored' });
    } else if (kind === 'status') {
      this.statuses.push(decodeMessage('status', payload));
    } else if (kind === 'progress') {
      this.progress.push(decodeMessage('progress', payload));
    } else if (kind === 'security-event') {
      const event = decodeMessage('security-event', payload);
      this.securityEvents.push(event);
      const counter = (event.signed as { counter: number }).counter;
      this.confirm(vin, { kind: 'security-event', counter, status: 'stored' });
    }
    for (const w of [...this.waiters]) w();
  }

  /** What the real backend sends after its commit: the gateway stops resending. */
  private confirm(vin: string, body: MessagePayload<'stored'>): void {
    this.#answer(vehicleTopic(vin, 'stored'), Buffer.from(encodeMessage('stored', body)));
  }

  /**
   * Publishes an answer nobody waits for. One to a message that arrived as the test closes this
   * client is refused ("client disconnecting"): the vehicle asked too late, nothing to answer.
   */
  #answer(topic: string, payload: Buffer): void {
    this.client.publishAsync(topic, payload, { qos: 1 }).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
