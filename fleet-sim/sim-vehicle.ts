/**
 * One simulated gateway at the MQTT level (no CAN): it reports a signed version manifest on
 * start, answers an offer by requesting and fully verifying the metadata (Uptane, both
 * repositories), downloads the package by byte ranges and checks its hash, then reports the result,
 * failing on purpose with the configured probability. The MQTT link, the download and the
 * verification are the real gateway's (protocol/); only flashing is simulated.
 */
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { downloadBlob, MemoryDownloadStore } from '@ota/protocol/download';
import {
  formatExpires,
  fromRepositoryFiles,
  MetadataVerificationError,
  signManifestNow,
  verifyUpdate,
} from '@ota/protocol';
import type {
  EcuResult,
  EcuUpdate,
  MessagePayload,
  Signer,
  TrustedRepositoryState,
  VehicleManifest,
} from '@ota/protocol';
import { attachVehicleLink, vehicleWill, type VehicleMqtt } from '@ota/protocol/mqtt';

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
  /** First delay before a result or manifest the backend has not confirmed is sent again (doubling), acknowledged by the broker or not; the gateway's (UNTIL_STORED_DEFAULTS) when absent. */
  resendMs?: number;
}

export type SimEvent =
  | { type: 'succeeded' | 'failed'; vin: string; campaignId: string }
  | { type: 'rejected_metadata'; vin: string; campaignId: string; code: string }
  | { type: 'error'; vin: string; campaignId: string; message: string };

type Outcome = MessagePayload<'result'>['outcome'];

/**
 * A request unanswered for 2 s is asked again (sooner than a real gateway's 5 s), for up to a minute, as
 * long as a real gateway waits (12 stalls of 5 s): a vehicle that gave up a download stays `downloading`
 * until it next reports a manifest, and a backend restarting on a busy machine may need more than the
 * 20 s that 10 attempts gave (loading the delivery process alone took 11 s beside two CPU burners).
 */
const REQUEST_TIMEOUT_MS = 2000;
const ATTEMPTS = 30;
/** Bytes asked for at once: 4 ranges of 64 KiB; a chunk request with no data for 2 s is asked again. */
const DOWNLOAD = { chunkSize: 64 * 1024, window: 4, stallMs: REQUEST_TIMEOUT_MS, maxStalls: ATTEMPTS };

const requestId = () => randomBytes(12).toString('hex');

export class SimVehicle {
  #link: VehicleMqtt | undefined;
  #counter = 0;
  #busy: string | undefined;
  /** Results sent and manifests signed, for tests. */
  readonly events: SimEvent[] = [];
  onEvent: ((event: SimEvent) => void) | undefined;
  /** The last result sent; tests send it again (a duplicate must change nothing). */
  lastResult: MessagePayload<'result'> | undefined;

  constructor(private readonly options: SimVehicleOptions) {}

  /** Results and manifests sent and not yet confirmed by the backend. */
  get unconfirmed(): number {
    return this.#link?.unconfirmed ?? 0;
  }

  /** Results and manifests sent again because no confirmation came. */
  get resends(): number {
    return this.#link?.resends ?? 0;
  }

  get vin(): string {
    return this.options.vin;
  }

  /** Whether an offer is being handled (from its receipt to the result sent, or its failure). */
  get updating(): boolean {
    return this.#busy !== undefined;
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
    return this.#link?.reconnects ?? 0;
  }

  async connect(url: string, mqttOptions: mqtt.IClientOptions = {}): Promise<void> {
    const { vin, resendMs } = this.options;
    const client = await mqtt.connectAsync(url, {
      clientId: `gw-${vin}`,
      clean: false,
      reconnectPeriod: 1000,
      protocolVersion: 4,
      will: vehicleWill(vin),
      ...mqttOptions,
    });
    this.#link = await attachVehicleLink(client, {
      vin,
      name: `fleet-sim ${vin}`,
      protocolVersion: 4,
      status: { online: true, gatewayVersion: 'fleet-sim' },
      // The gateway's delays, or one delay whether or not the broker acknowledged (tests that lose
      // messages on purpose wait resendMs).
      untilStored: resendMs === undefined ? {} : { minMs: resendMs, ackedMs: resendMs, maxMs: 6 * resendMs },
    });
    this.#link.onOffer((offer) => this.#onOffer(offer));
    await this.sendManifest();
  }

  async disconnect(): Promise<void> {
    await this.#link?.close();
    this.#link = undefined;
  }

  #connected(): VehicleMqtt {
    if (!this.#link) throw new Error(`${this.options.vin} is not connected`);
    return this.#link;
  }

  async sendManifest(lastUpdate?: VehicleManifest['lastUpdate']): Promise<void> {
    this.#counter++;
    const manifest = signManifestNow(
      {
        vin: this.options.vin,
        counter: this.#counter,
        ecus: this.options.ecus.map((e) => ({ ...e })),
        ...(lastUpdate ? { lastUpdate } : {}),
      },
      this.options.key,
      new Date(),
    );
    void this.#connected().sendUntilStored('manifest', {
      signatures: [...manifest.signatures],
      signed: manifest.signed,
    });
  }

  /** One offer at a time; an offer while busy is dropped (the backend offers it again). */
  #onOffer(offer: MessagePayload<'offer'>): void {
    if (this.#busy !== undefined) return;
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

  async #update(offer: MessagePayload<'offer'>): Promise<void> {
    const { campaignId } = offer;
    const updates = await this.#verifiedUpdates(campaignId);
    if (!updates) return;
    const total = updates.reduce((sum, u) => sum + (u.delta?.length ?? u.length), 0);
    await this.#progress(campaignId, 'downloading', 0, total);
    for (const update of updates) await this.#download(update.delta ?? update);
    await this.#progress(campaignId, 'flashing', total, total);
    const random = this.options.random ?? Math.random;
    const outcome: Outcome = random() < this.options.failRate ? 'rolled_back' : 'succeeded';
    const ecuResults = this.#flash(updates, outcome);
    await this.#result(campaignId, outcome, ecuResults);
    await this.sendManifest({ campaignId, outcome, ecus: ecuResults });
  }

  /**
   * The campaign's metadata, asked for (again with the same request id when no answer comes: the backend may
   * have restarted in between) and verified; null when the backend has none now or it failed verification.
   */
  async #verifiedUpdates(campaignId: string): Promise<readonly EcuUpdate[] | null> {
    const { vin, trusted } = this.options;
    const response = await this.#connected().requestMetadata(
      {
        requestId: requestId(),
        campaignId,
        trustedRootVersions: { image: trusted.image.root.version, director: trusted.director.root.version },
      },
      { timeoutMs: REQUEST_TIMEOUT_MS, attempts: ATTEMPTS },
    );
    if (response.status !== 'ok') return null; // e.g. the campaign was paused meanwhile: the offer will come again.
    try {
      const verified = verifyUpdate({
        vin,
        ecus: this.options.ecus,
        director: { metadata: fromRepositoryFiles(response.director), trusted: trusted.director },
        image: { metadata: fromRepositoryFiles(response.image), trusted: trusted.image },
        now: new Date(),
      });
      this.options.trusted = verified.trusted;
      return verified.updates;
    } catch (error) {
      if (!(error instanceof MetadataVerificationError)) throw error;
      this.#emit({ type: 'rejected_metadata', vin, campaignId, code: error.code });
      await this.#result(campaignId, 'failed', [], { code: error.code, message: error.message });
      return null;
    }
  }

  /** Downloads a blob by byte ranges (asking again for what is missing) and checks its hash and length. */
  async #download(blob: { sha256: string; length: number }): Promise<Uint8Array> {
    return downloadBlob(this.#connected(), blob, () => new MemoryDownloadStore(blob.length), DOWNLOAD);
  }

  /** What flashing would report; on success the ECUs run the new versions. */
  #flash(updates: readonly EcuUpdate[], outcome: Outcome): EcuResult[] {
    const fail = outcome !== 'succeeded';
    if (!fail) {
      for (const u of updates) {
        const ecu = this.options.ecus.find((e) => e.serial === u.ecuSerial)!;
        ecu.version = u.version;
        ecu.imageSha256 = u.sha256;
      }
    }
    return updates.map((u) => ({
      ecuSerial: u.ecuSerial,
      fromVersion: u.fromVersion ?? 'unknown',
      toVersion: u.version,
      result: outcome,
      ...(fail ? { nrc: 0x72, error: 'injected failure: general programming failure' } : {}),
      bytesOnBus: u.delta?.length ?? u.length,
      durationMs: 1,
    }));
  }

  async #progress(campaignId: string, phase: MessagePayload<'progress'>['phase'], done: number, total: number) {
    const at = formatExpires(new Date());
    await this.#connected().publish('progress', { campaignId, phase, bytesDone: done, bytesTotal: total, at });
  }

  async #result(
    campaignId: string,
    outcome: Outcome,
    ecus: EcuResult[],
    error?: { code: string; message: string },
  ): Promise<void> {
    const result = {
      campaignId,
      resultId: requestId(),
      outcome,
      ecus,
      ...(error ? { error } : {}),
      finishedAt: formatExpires(new Date()),
    };
    this.lastResult = result;
    void this.#connected().sendUntilStored('result', result);
    this.#emit({ type: outcome === 'succeeded' ? 'succeeded' : 'failed', vin: this.options.vin, campaignId });
  }

  /** Publishes the last result again, byte for byte (what a broker redelivery looks like). */
  async resendLastResult(): Promise<void> {
    if (this.lastResult) await this.#connected().publish('result', this.lastResult);
  }

  #emit(event: SimEvent): void {
    this.events.push(event);
    this.onEvent?.(event);
  }
}
