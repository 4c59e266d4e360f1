/**
 * One simulated gateway at the MQTT level (no CAN): it reports a signed version manifest on
 * start, answers an offer by requesting and fully verifying the metadata (Uptane, both
 * repositories), downloads the package in chunks and checks its hash, then reports the result,
 * failing on purpose with the configured probability.
 */
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import {
  decodeChunkFrame,
  decodeMessage,
  encodeMessage,
  fromRepositoryFiles,
  MetadataVerificationError,
  parseVehicleTopic,
  sha256Hex,
  signVehicleManifest,
  verifyUpdate,
  vehicleTopic,
} from '../protocol/index.ts';
import type { EcuResult, EcuUpdate, MessagePayload, Signer, TrustedRepositoryState } from '../protocol/index.ts';
import { formatExpires } from '../protocol/tuf/time.ts';
import { forcedSubscription, reconnectWithBackoff } from '../protocol/mqtt/reconnect-backoff.ts';
import type { ReconnectCounter } from '../protocol/mqtt/reconnect-backoff.ts';
import { manifestKey, resultKey, UntilStored } from '../protocol/mqtt/until-stored.ts';
import { CHUNK_SIZE } from '../backend/delivery/chunk-server.ts';

export interface SimEcu {
  serial: string;
  hardwareId: string;
  version: string;
  imageSha256: string;
}

export interface SimVehicleOptions {
  vin: string;
  key: Signer;
  ecus: SimEcu[];
  trusted: { image: TrustedRepositoryState; director: TrustedRepositoryState };
  /** Probability (0..1) that an update fails at flashing, as an ECU refusing the download would. */
  failRate: number;
  /** Random source in [0,1); injectable for reproducible runs. */
  random?: () => number;
  /** Bytes per range request. */
  rangeLength?: number;
  /** Bytes per chunks/data message the backend sends (its CHUNK_SIZE), to know what is missing. */
  chunkSize?: number;
  /** First delay before a result or manifest the backend has not confirmed is sent again (doubling). */
  resendMs?: number;
}

export type SimEvent =
  | { type: 'succeeded' | 'failed'; vin: string; campaignId: string }
  | { type: 'rejected_metadata'; vin: string; campaignId: string; code: string }
  | { type: 'error'; vin: string; campaignId: string; message: string };

const RANGE_LENGTH = 256 * 1024;
const REQUEST_TIMEOUT_MS = 2000;
const ATTEMPTS = 10;

class Timeout extends Error {}

async function retry<T>(what: string, attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof Timeout) || i >= ATTEMPTS)
        throw new Error(`${what}: no answer after ${i} attempts`, { cause: error });
    }
  }
}

/** The ranges of [offset, offset+length) not yet received, given the chunk offsets received (chunks of `chunkSize`). */
function missingRanges(
  offset: number,
  length: number,
  have: ReadonlySet<number>,
  chunkSize: number,
): { offset: number; length: number }[] {
  const ranges: { offset: number; length: number }[] = [];
  for (let at = offset; at < offset + length; at += chunkSize) {
    if (have.has(at)) continue;
    const len = Math.min(chunkSize, offset + length - at);
    const last = ranges.at(-1);
    if (last && last.offset + last.length === at) last.length += len;
    else ranges.push({ offset: at, length: len });
  }
  return ranges;
}
const requestId = () => randomBytes(12).toString('hex');

export class SimVehicle {
  #client: MqttClient | undefined;
  #reconnects: ReconnectCounter | undefined;
  /** Results and manifests kept until the backend confirms it stored them. */
  readonly #untilStored: UntilStored;
  #counter = 0;
  #busy: string | undefined;
  #pending = new Map<string, (payload: Buffer) => void>();
  #chunkWaiters = new Map<string, (frame: ReturnType<typeof decodeChunkFrame>) => void>();
  /** Results sent and manifests signed, for tests. */
  readonly events: SimEvent[] = [];
  onEvent: ((event: SimEvent) => void) | undefined;

  constructor(private readonly options: SimVehicleOptions) {
    this.#untilStored = new UntilStored((kind, payload) => this.#publish(vehicleTopic(options.vin, kind), payload), {
      minMs: options.resendMs ?? 5000,
      maxMs: 6 * (options.resendMs ?? 5000),
    });
  }

  /** Results and manifests sent and not yet confirmed by the backend. */
  get unconfirmed(): number {
    return this.#untilStored.pending;
  }

  /** Results and manifests sent again because no confirmation came. */
  get resends(): number {
    return this.#untilStored.resends;
  }

  get vin(): string {
    return this.options.vin;
  }

  /** Counter of the last version manifest signed. */
  get manifestCounter(): number {
    return this.#counter;
  }

  get ecus(): readonly SimEcu[] {
    return this.options.ecus;
  }

  /** Connections re-established after a loss. */
  get reconnects(): number {
    return this.#reconnects?.reconnects ?? 0;
  }

  async connect(url: string, mqttOptions: mqtt.IClientOptions = {}): Promise<void> {
    const { vin } = this.options;
    const client = await mqtt.connectAsync(url, {
      clientId: `gw-${vin}`,
      clean: false,
      reconnectPeriod: 1000,
      protocolVersion: 4,
      will: {
        topic: vehicleTopic(vin, 'status'),
        payload: Buffer.from(JSON.stringify({ online: false })),
        qos: 1,
        retain: true,
      },
      ...mqttOptions,
    });
    this.#client = client;
    this.#reconnects = reconnectWithBackoff(client, `fleet-sim ${vin}`);
    client.on('message', (topic, payload) => this.#onMessage(topic, payload));
    const downlink = [
      vehicleTopic(vin, 'offer'),
      vehicleTopic(vin, 'metadata/response'),
      vehicleTopic(vin, 'chunks/data'),
      vehicleTopic(vin, 'stored'),
    ];
    // Again after every reconnect: a restarted broker may have lost the session.
    const subscribe = () => client.subscribeAsync(forcedSubscription(downlink));
    await subscribe();
    client.on('connect', () => void subscribe().catch(() => undefined));
    await this.#publish(
      vehicleTopic(vin, 'status'),
      encodeMessage('status', { online: true, gatewayVersion: 'fleet-sim' }),
      true,
    );
    await this.sendManifest();
  }

  async disconnect(): Promise<void> {
    this.#untilStored.stop();
    await this.#client?.endAsync();
    this.#client = undefined;
  }

  async #publish(topic: string, payload: Uint8Array, retain = false): Promise<void> {
    if (!this.#client) throw new Error(`${this.options.vin} is not connected`);
    await this.#client.publishAsync(topic, Buffer.from(payload), { qos: 1, retain });
  }

  async sendManifest(lastUpdate?: NonNullable<Parameters<typeof signVehicleManifest>[0]['lastUpdate']>): Promise<void> {
    this.#counter++;
    const manifest = signVehicleManifest(
      {
        vin: this.options.vin,
        counter: this.#counter,
        nonce: randomBytes(16).toString('hex'),
        timestamp: formatExpires(new Date()),
        ecus: this.options.ecus.map((e) => ({ ...e })),
        ...(lastUpdate ? { lastUpdate } : {}),
      },
      this.options.key,
    );
    void this.#untilStored.send(
      'manifest',
      manifestKey(this.#counter),
      encodeMessage('manifest', { signatures: [...manifest.signatures], signed: manifest.signed }),
    );
  }

  #onMessage(topic: string, payload: Buffer): void {
    const kind = parseVehicleTopic(topic)?.kind;
    if (kind === 'offer') {
      const offer = decodeMessage('offer', payload);
      if (this.#busy === undefined) {
        this.#busy = offer.campaignId;
        this.#update(offer)
          .catch((error: unknown) =>
            this.#emit({
              type: 'error',
              vin: this.options.vin,
              campaignId: offer.campaignId,
              message: (error as Error).message,
            }),
          )
          .finally(() => (this.#busy = undefined));
      }
    } else if (kind === 'metadata/response') {
      const response = decodeMessage('metadata/response', payload);
      this.#pending.get(response.requestId)?.(payload);
    } else if (kind === 'stored') {
      this.#untilStored.confirm(decodeMessage('stored', payload));
    } else if (kind === 'chunks/data') {
      const frame = decodeChunkFrame(payload);
      this.#chunkWaiters.get(frame.header.requestId)?.(frame);
    }
  }

  /**
   * Publishes a metadata request and waits for its answer, asking again (same request id) when
   * none comes: the backend may have restarted between receiving and answering it.
   */
  async #request(kind: 'metadata/request', body: MessagePayload<'metadata/request'>): Promise<Buffer> {
    try {
      return await retry(
        `${kind} of ${this.options.vin}`,
        () =>
          new Promise<Buffer>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Timeout()), REQUEST_TIMEOUT_MS);
            this.#pending.set(body.requestId, (payload) => {
              clearTimeout(timer);
              resolve(payload);
            });
            this.#publish(vehicleTopic(this.options.vin, kind), encodeMessage(kind, body)).catch(reject);
          }),
      );
    } finally {
      this.#pending.delete(body.requestId);
    }
  }

  /** Downloads a blob by byte ranges (asking again for what is missing) and checks its hash and length. */
  async #download(sha256: string, length: number): Promise<Uint8Array> {
    const bytes = new Uint8Array(length);
    let received = 0;
    const step = this.options.rangeLength ?? RANGE_LENGTH;
    const chunkSize = this.options.chunkSize ?? CHUNK_SIZE;
    for (let offset = 0; offset < length; offset += step) {
      const want = Math.min(step, length - offset);
      const have = new Set<number>();
      // Each attempt asks only for the chunks still missing: a download resumes where it stopped.
      await retry(`chunks of ${sha256} at ${offset}`, () => {
        const id = requestId();
        const missing = missingRanges(offset, want, have, chunkSize);
        return new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            this.#chunkWaiters.delete(id);
            reject(new Timeout());
          }, REQUEST_TIMEOUT_MS);
          this.#chunkWaiters.set(id, ({ header, data }) => {
            // Never write past the length the signed metadata announced (endless data attack).
            if (header.sha256 !== sha256 || header.totalLength !== length || header.offset + data.length > length)
              return;
            bytes.set(data, header.offset);
            have.add(header.offset);
            if (missingRanges(offset, want, have, chunkSize).length === 0) {
              clearTimeout(timer);
              this.#chunkWaiters.delete(id);
              resolve();
            }
          });
          this.#publish(
            vehicleTopic(this.options.vin, 'chunks/request'),
            encodeMessage('chunks/request', { requestId: id, sha256, ranges: missing }),
          ).catch(reject);
        });
      });
      received += want;
    }
    if (received !== length || sha256Hex(bytes) !== sha256)
      throw new Error(`download of ${sha256} does not match its hash`);
    return bytes;
  }

  async #progress(
    campaignId: string,
    phase: MessagePayload<'progress'>['phase'],
    done: number,
    total: number,
  ): Promise<void> {
    await this.#publish(
      vehicleTopic(this.options.vin, 'progress'),
      encodeMessage('progress', {
        campaignId,
        phase,
        bytesDone: done,
        bytesTotal: total,
        at: formatExpires(new Date()),
      }),
    );
  }

  async #update(offer: MessagePayload<'offer'>): Promise<void> {
    const { vin, trusted } = this.options;
    const { campaignId } = offer;
    const raw = await this.#request('metadata/request', {
      requestId: requestId(),
      campaignId,
      trustedRootVersions: { image: trusted.image.root.version, director: trusted.director.root.version },
    });
    const response = decodeMessage('metadata/response', raw);
    if (response.status !== 'ok') return; // e.g. the campaign was paused meanwhile: the offer will come again.
    let updates: readonly EcuUpdate[];
    try {
      const verified = verifyUpdate({
        vin,
        ecus: this.options.ecus,
        director: { metadata: fromRepositoryFiles(response.director), trusted: trusted.director },
        image: { metadata: fromRepositoryFiles(response.image), trusted: trusted.image },
        now: new Date(),
      });
      this.options.trusted = verified.trusted;
      updates = verified.updates;
    } catch (error) {
      if (!(error instanceof MetadataVerificationError)) throw error;
      this.#emit({ type: 'rejected_metadata', vin, campaignId, code: error.code });
      await this.#result(campaignId, 'failed', [], { code: error.code, message: error.message });
      return;
    }
    const total = updates.reduce((sum, u) => sum + (u.delta?.length ?? u.length), 0);
    let done = 0;
    await this.#progress(campaignId, 'downloading', 0, total);
    for (const update of updates) {
      const blob = update.delta ?? { sha256: update.sha256, length: update.length };
      await this.#download(blob.sha256, blob.length);
      done += blob.length;
    }
    await this.#progress(campaignId, 'flashing', done, total);
    const random = this.options.random ?? Math.random;
    const fail = random() < this.options.failRate;
    const ecuResults: EcuResult[] = updates.map((u) => ({
      ecuSerial: u.ecuSerial,
      fromVersion: u.fromVersion ?? 'unknown',
      toVersion: u.version,
      result: fail ? 'rolled_back' : 'succeeded',
      ...(fail ? { nrc: 0x72, error: 'injected failure: general programming failure' } : {}),
      bytesOnBus: u.delta?.length ?? u.length,
      durationMs: 1,
    }));
    if (!fail) {
      for (const u of updates) {
        const ecu = this.options.ecus.find((e) => e.serial === u.ecuSerial)!;
        ecu.version = u.version;
        ecu.imageSha256 = u.sha256;
      }
    }
    await this.#result(campaignId, fail ? 'rolled_back' : 'succeeded', ecuResults);
    await this.sendManifest({ campaignId, outcome: fail ? 'rolled_back' : 'succeeded', ecus: ecuResults });
  }

  /** Sends a result; exposed so tests can send it again (a duplicate must change nothing). */
  lastResult: Uint8Array | undefined;

  async #result(
    campaignId: string,
    outcome: MessagePayload<'result'>['outcome'],
    ecus: EcuResult[],
    error?: { code: string; message: string },
  ): Promise<void> {
    const resultId = requestId();
    const payload = encodeMessage('result', {
      campaignId,
      resultId,
      outcome,
      ecus,
      ...(error ? { error } : {}),
      finishedAt: formatExpires(new Date()),
    });
    this.lastResult = payload;
    void this.#untilStored.send('result', resultKey(campaignId, resultId), payload);
    this.#emit({ type: outcome === 'succeeded' ? 'succeeded' : 'failed', vin: this.options.vin, campaignId });
  }

  /** Publishes the last result again, byte for byte (what a broker redelivery looks like). */
  async resendLastResult(): Promise<void> {
    if (this.lastResult) await this.#publish(vehicleTopic(this.options.vin, 'result'), this.lastResult);
  }

  #emit(event: SimEvent): void {
    this.events.push(event);
    this.onEvent?.(event);
  }
}
