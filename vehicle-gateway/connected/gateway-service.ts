// Connected mode: the TCU process. On start it finishes (or rolls back) an interrupted update and re-sends its
// one result, reads the inventory over UDS and publishes the signed version manifest; then it handles offers
// one at a time: metadata, verification, download, rebuild, readiness, install, result, manifest.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519SignerFromSeed, parseExpires, type MessagePayload, type Signer } from '@ota/protocol';
import { CanBuses, type OpenTransport } from '../can/buses.ts';
import type { FlashProgress } from '../flash/flash-ecu.ts';
import { readEcuInventory, type EcuInventory } from '../inventory/read-inventory.ts';
import { ecuDeltaCacheBeside } from '../journal/ecu-delta-cache.ts';
import { ImageStore } from '../journal/image-store.ts';
import { JournalAbort, UpdateJournal } from '../journal/update-journal.ts';
import type { UpdateRecord } from '../journal/update-record.ts';
import { resumeUpdate, startUpdate, UpdateRefused, type UpdateEnvironment } from '../update/run-update.ts';
import { parseSecretHex } from '../vehicle/engineer-secrets.ts';
import { loadVehicleFile } from '../vehicle/load.ts';
import { loadTesterCredential } from '../vehicle/tester-credential.ts';
import type { PublicVehicleDefinition } from '@ota/uds/vehicle';
import { BlobDownloader } from './blob-download.ts';
import { attemptKey, HandledAttempts } from './handled-attempts.ts';
import { ConfigError, type GatewayConfig } from './config.ts';
import type { TesterCredential } from '@ota/uds';
import { INVENTORY_RETRY_DEFAULT, InventoryRetry } from './inventory-retry.ts';
import type { BackoffOptions } from './retry-backoff.ts';
import { buildManifest, ManifestCounter, refusedResult, resultFromReport } from './messages.ts';
import { connectVehicleMqtt } from './mqtt-link.ts';
import type { MetadataWait, VehicleMqtt } from '@ota/protocol/mqtt';
import { PrepareError, prepareUpdate, type PreparedUpdate } from './prepare-update.ts';
import { probePreconditions, waitUntilReady } from './readiness.ts';
import { TrustStore } from './trust-store.ts';
import { busProfiles, CanIntrusionMonitor } from '../security/can-monitor.ts';
import { SecurityEventJournal } from '../security/event-journal.ts';
import { SecurityEventRecorder } from '../security/recorder.ts';
import { eventOfRefusal, eventsOfUpdateReport } from '../security/refusal-events.ts';

type Offer = MessagePayload<'offer'>;

/**
 * A metadata request unanswered in 10 s is asked again, same request id, up to 6 times: one lost on
 * the way (or to a backend that restarted) costs 10 s, not the offer, which would come again only
 * after the backend's 120 s acknowledgement timeout.
 */
const METADATA_WAIT: MetadataWait = { timeoutMs: 10_000, attempts: 6 };

/** Thrown by a queued task that reaches a step with effects (bus, MQTT, handled list) after stop(). */
class GatewayStopped extends Error {
  override readonly name = 'GatewayStopped';
}

export interface GatewayServiceOptions {
  openTransport: OpenTransport;
  now?: () => Date;
  log?: (line: string) => void;
  /** Journal hook (tests stop the gateway at a journal point through it). */
  onJournalSaved?: (record: UpdateRecord, write: number) => void;
  preconditionPollMs?: number;
  /** Chunk download stall timeout. */
  stallMs?: number;
  /** How long to wait for a metadata response and how often to ask (default METADATA_WAIT). */
  metadataWait?: MetadataWait;
  /** Backoff for reading again ECUs that did not answer completely (default 1 s doubling up to 60 s). */
  inventoryRetry?: BackoffOptions;
}

function loadSecrets(file: string, vehicle: PublicVehicleDefinition): Map<string, Uint8Array> {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`cannot read the ECU secrets file ${file}: ${(err as Error).message}`);
  }
  const secrets = new Map<string, Uint8Array>();
  for (const ecu of vehicle.ecus) {
    const hex = json[ecu.name];
    if (typeof hex !== 'string') throw new ConfigError(`${file} has no secret for ECU ${ecu.name}`);
    secrets.set(ecu.name, parseSecretHex(hex, `${file}: the secret of ${ecu.name}`));
  }
  return secrets;
}

function testerCredential(files: NonNullable<GatewayConfig['testerCertificate']>): TesterCredential {
  try {
    return loadTesterCredential(files);
  } catch (err) {
    throw new ConfigError(`testerCertificate: ${(err as Error).message}`);
  }
}

function loadVehicleKey(file: string): Signer {
  try {
    return ed25519SignerFromSeed(Buffer.from(readFileSync(file, 'utf8').trim(), 'hex'));
  } catch (err) {
    throw new ConfigError(`cannot load the vehicle key ${file}: ${(err as Error).message}`);
  }
}

export class GatewayService {
  private chain: Promise<void> = Promise.resolve();
  private readonly handled: HandledAttempts;
  private readonly inventoryRetry: InventoryRetry;
  private readonly events: SecurityEventJournal;
  /** Security events: signed, journaled, sent until the backend stored them. */
  readonly security: SecurityEventRecorder;
  private readonly canMonitor: CanIntrusionMonitor;

  private constructor(
    readonly config: GatewayConfig,
    readonly vehicle: PublicVehicleDefinition,
    readonly mqtt: VehicleMqtt,
    private readonly env: UpdateEnvironment,
    private readonly buses: CanBuses,
    private readonly key: Signer,
    private readonly options: GatewayServiceOptions,
    private readonly abort: AbortController,
  ) {
    this.handled = new HandledAttempts(config.stateDir);
    this.inventoryRetry = new InventoryRetry(options.inventoryRetry ?? INVENTORY_RETRY_DEFAULT, (l) => this.log(l));
    this.events = new SecurityEventJournal(join(config.stateDir, 'security-events.jsonl'));
    const { burst, perMinute, canQuietMs } = config.securityEvents;
    this.security = new SecurityEventRecorder({
      vin: config.vin,
      key,
      journal: this.events,
      send: (event) => mqtt.sendUntilStored('security-event', event),
      now: () => this.now(),
      log: (l) => this.log(l),
      rateLimit: { burst, perMinute },
    });
    this.canMonitor = new CanIntrusionMonitor((e) => this.security.record(e), { quietMs: canQuietMs });
  }

  /** Watches every bus of the vehicle for diagnostic requests it did not send and unknown CAN ids. */
  private async watchBuses(): Promise<void> {
    for (const [bus, profile] of busProfiles(this.vehicle, this.config.canInterface ?? null)) {
      try {
        this.canMonitor.watch(await this.buses.transport(bus), profile);
      } catch (err) {
        this.log(`cannot watch ${bus} for intrusions: ${(err as Error).message}`);
      }
    }
  }

  static async start(config: GatewayConfig, options: GatewayServiceOptions): Promise<GatewayService> {
    const vehicle = await loadVehicleFile(config.vehicleFile);
    if (vehicle.vin !== config.vin)
      throw new ConfigError(`the vehicle file is for ${vehicle.vin}, the config for ${config.vin}`);
    const secrets = loadSecrets(config.secretsFile, vehicle);
    const key = loadVehicleKey(config.vehicleKeyFile);
    const tester = config.testerCertificate ? testerCredential(config.testerCertificate) : undefined;
    const abort = new AbortController();
    const buses = new CanBuses(options.openTransport, config.canInterface ?? null, {
      timingMarginMs: config.udsTimingMarginMs,
    });
    const env: UpdateEnvironment = {
      vehicle,
      connect: (ecu) => buses.connect(ecu),
      secret: (name) => {
        const s = secrets.get(name);
        if (!s) throw new Error(`no secret for ${name}`);
        return s;
      },
      ...(tester ? { tester } : {}),
      images: new ImageStore(join(config.stateDir, 'images')),
      // An update stopped mid-way is left in the journal as a kill leaves it: the next start resumes it.
      journal: new UpdateJournal(config.stateDir, (record, write) => {
        options.onJournalSaved?.(record, write);
        if (abort.signal.aborted) throw new JournalAbort('the gateway stopped');
      }),
      mode: config.transferMode,
      testerId: `tcu-${config.vin.slice(-6)}`,
    };
    const mqtt = await connectVehicleMqtt(config, (line) => options.log?.(`[gateway ${config.vin}] ${line}`));
    const service = new GatewayService(config, vehicle, mqtt, env, buses, key, options, abort);
    mqtt.onInvalidMessage((err) => service.log(`ignored an invalid message: ${err.message}`));
    service.security.resendPending();
    await service.watchBuses();
    service.enqueue(() => service.recover());
    mqtt.onOffer((offer) => service.enqueue(() => service.handleOffer(offer)));
    return service;
  }

  private log(line: string): void {
    this.options.log?.(`[gateway ${this.config.vin}] ${line}`);
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch((err: unknown) => {
      if (this.abort.signal.aborted) this.log(`stopped: ${err instanceof Error ? err.message : String(err)}`);
      else this.log(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    });
  }

  /** A task going on after stop() ends here instead of talking on the bus or over MQTT. */
  private ensureRunning(): void {
    if (this.abort.signal.aborted) throw new GatewayStopped('the gateway stopped');
  }

  /** Resolves when every queued task (recovery, offers) is done. */
  async idle(): Promise<void> {
    let seen: Promise<void> | null = null;
    while (seen !== this.chain) {
      seen = this.chain;
      await seen;
    }
  }

  /**
   * Aborts the task in progress (a download ends at once, a bus request fails as the buses close) and
   * resolves once it ended: afterwards this gateway sends nothing on the bus or over MQTT.
   */
  async stop(): Promise<void> {
    this.abort.abort();
    this.inventoryRetry.stop();
    this.canMonitor.stop();
    this.security.stop();
    await this.mqtt.close().catch(() => undefined);
    await this.buses.closeAll();
    await this.idle();
    this.events.close();
  }

  async inventory(): Promise<EcuInventory[]> {
    const rows: EcuInventory[] = [];
    for (const ecu of this.vehicle.ecus) {
      const c = await this.buses.connect(ecu);
      try {
        rows.push(await readEcuInventory(ecu, c.link));
      } finally {
        await c.close();
      }
    }
    return rows;
  }

  /**
   * Reads the inventory, publishes it as the signed manifest and returns it. While an ECU is not read
   * completely it is read again later (backoff), and the manifest republished once it says more.
   */
  private async publishManifest(
    lastUpdate?: { campaignId: string; result: MessagePayload<'result'> },
    onlyIfChanged = false,
  ): Promise<EcuInventory[]> {
    this.ensureRunning();
    const inventory = await this.inventory();
    this.ensureRunning(); // a read cut short by stop() is no inventory to publish
    let lastUpdateSent = false; // a republished manifest does not repeat it
    this.inventoryRetry.afterRead(inventory, () =>
      this.enqueue(async () => {
        if (!this.abort.signal.aborted) await this.publishManifest(lastUpdateSent ? undefined : lastUpdate, true);
      }),
    );
    if (onlyIfChanged && !this.inventoryRetry.changedSincePublished(inventory)) return inventory;
    if (!inventory.some((e) => e.status === 'complete')) {
      this.log('no ECU could be read completely: no manifest yet');
      return inventory;
    }
    const counter = new ManifestCounter(this.config.stateDir).next();
    const manifest = buildManifest(this.config.vin, inventory, counter, this.key, this.now(), lastUpdate);
    // Resent until the backend confirms it (not awaited: the gateway goes on meanwhile).
    void this.mqtt.sendUntilStored('manifest', manifest as MessagePayload<'manifest'>);
    this.inventoryRetry.published(inventory);
    lastUpdateSent = true;
    this.log(`manifest ${counter} published`);
    return inventory;
  }

  /** An interrupted update is finished (or rolled back); a finished one whose result was not sent is sent. */
  private async recover(): Promise<void> {
    const record = await resumeUpdate(this.env);
    if (record && record.report && !record.reported) {
      this.log(
        `update ${record.updateId} ${record.restarts > 0 ? 'resumed and ' : ''}finished: ${record.report.result}`,
      );
      await this.report(record);
      return;
    }
    await this.publishManifest();
  }

  private async report(record: UpdateRecord): Promise<void> {
    if (!record.report) throw new Error('internal: no report to send');
    this.ensureRunning(); // the journal keeps the result: recover() sends it after the restart
    const result = resultFromReport(record.report, record.reference);
    // The journal keeps the result (reported: false) until the backend confirms it stored it; a
    // restart before that sends it again (recover). Resent with backoff meanwhile.
    void this.mqtt
      .sendUntilStored('result', result)
      .then(() => {
        if (this.env.journal.current()?.updateId !== record.updateId) return;
        record.reported = true;
        this.env.journal.save(record);
        this.env.journal.archive(record);
      })
      .catch((err: unknown) => this.log(`cannot archive update ${record.updateId}: ${(err as Error).message}`));
    this.handled.mark(record.reference, record.attempt ?? 1);
    const inventory = await this.publishManifest({ campaignId: record.reference, result });
    // Keep what the ECUs run now (next delta bases, single-bank rollback images); drop the rest.
    const running = inventory.flatMap((e) => (e.status === 'complete' ? [e.sha256] : []));
    if (running.length === this.vehicle.ecus.length) this.env.images.retainOnly(new Set(running));
    // The update's ECU-side deltas are never asked for again once it is reported.
    ecuDeltaCacheBeside(this.env.images).clear();
  }

  private async refuse(offer: Offer, code: string, message: string): Promise<void> {
    const { campaignId, attempt } = offer;
    this.ensureRunning(); // not marked handled: the offer is handled again after the restart
    this.log(`campaign ${campaignId} refused: ${code}: ${message}`);
    // Not in the journal (nothing was installed): resent until confirmed while the gateway runs.
    void this.mqtt.sendUntilStored(
      'result',
      refusedResult(campaignId, `${attemptKey(campaignId, attempt)}/${code}`, code, message, this.now()),
    );
    this.handled.mark(campaignId, attempt);
    await this.publishManifest();
  }

  private progress(
    campaignId: string,
    phase: MessagePayload<'progress'>['phase'],
    bytesDone: number,
    bytesTotal: number,
    ecuSerial?: string,
  ): void {
    this.mqtt
      .publish(
        'progress',
        {
          campaignId,
          phase,
          bytesDone,
          bytesTotal,
          at: this.now()
            .toISOString()
            .replace(/\.\d{3}Z$/, 'Z'),
          ...(ecuSerial ? { ecuSerial } : {}),
        },
        { qos: 0 },
      )
      .catch(() => undefined);
  }

  private async handleOffer(offer: Offer): Promise<void> {
    const { campaignId, attempt } = offer;
    if (this.handled.has(campaignId, attempt)) return;
    const current = this.env.journal.current();
    // Nor while the last result is unconfirmed: the next update's journal would replace it on disk.
    if (current && (current.phase !== 'finished' || !current.reported)) return;
    this.log(`offer ${campaignId} (${offer.downloadBytes} bytes)`);
    const prepared = await this.prepare(offer);
    if (!prepared) return;
    if (!(await this.waitForInstall(offer, prepared))) return;
    const record = await this.install(offer, prepared);
    if (!record) return;
    this.log(`update ${record.updateId}: ${record.report?.result}`);
    if (record.report) for (const e of eventsOfUpdateReport(record.report, campaignId)) this.security.record(e);
    await this.report(record);
  }

  /** Metadata, verification, download and rebuild of the offered update; null when it was refused. */
  private async prepare(offer: Offer): Promise<PreparedUpdate | null> {
    const { campaignId } = offer;
    const inventory = await this.inventory();
    const trustStore = new TrustStore(this.config.stateDir, this.config.trustedRoots);
    const trusted = trustStore.load();
    const response = await this.mqtt.requestMetadata(
      {
        requestId: randomBytes(12).toString('base64url'),
        campaignId,
        trustedRootVersions: { image: trusted.image.root.version, director: trusted.director.root.version },
      },
      this.options.metadataWait ?? METADATA_WAIT,
    );
    if (response.status === 'error') {
      await this.refuse(offer, response.error.code, response.error.message);
      return null;
    }
    const downloader = new BlobDownloader(join(this.config.stateDir, 'downloads'), this.mqtt, {
      chunkSize: this.config.chunkSize,
      ...(this.options.stallMs ? { stallMs: this.options.stallMs } : {}),
      signal: this.abort.signal,
      onProgress: (done, total) => this.progress(campaignId, 'downloading', done, total),
    });
    let prepared;
    try {
      prepared = await prepareUpdate({
        vehicle: this.vehicle,
        inventory,
        metadata: { image: response.image, director: response.director },
        trusted,
        now: this.now(),
        images: this.env.images,
        fetchBlob: (sha256, length) => downloader.fetch(sha256, length),
      });
    } catch (err) {
      if (!(err instanceof PrepareError)) throw err;
      const event = eventOfRefusal(err, campaignId, this.vehicle);
      if (event) this.security.record(event);
      await this.refuse(offer, err.code, err.message);
      return null;
    }
    trustStore.save(prepared.trusted);
    return prepared;
  }

  /** Waits for the install window and the ECUs' preconditions; false when the update will not start now. */
  private async waitForInstall(offer: Offer, prepared: PreparedUpdate): Promise<boolean> {
    const ready = await waitUntilReady(this.config.installWindow, () => this.probeTargets(prepared), {
      pollMs: this.options.preconditionPollMs ?? 30_000,
      until: offer.deadline ? (parseExpires(offer.deadline) ?? null) : null,
      now: () => this.now(),
      log: (l) => this.log(l),
      signal: this.abort.signal,
    });
    if (ready) return true;
    if (this.abort.signal.aborted) return false;
    await this.refuse(
      offer,
      'expired',
      'the campaign deadline passed before the install window and preconditions allowed the update',
    );
    return false;
  }

  private async probeTargets(prepared: PreparedUpdate) {
    const out = [];
    for (const t of prepared.request.targets) {
      const def = this.vehicle.ecus.find((e) => e.name === t.ecu);
      if (!def) continue;
      const c = await this.buses.connect(def);
      try {
        out.push({ ecu: t.ecu, result: await probePreconditions(c.link) });
      } finally {
        await c.close();
      }
    }
    return out;
  }

  /** Flashes the prepared update (journaled); null when the update engine refused it. */
  private async install(offer: Offer, prepared: PreparedUpdate): Promise<UpdateRecord | null> {
    const { campaignId, attempt } = offer;
    try {
      const serialOf = (ecu: string) => prepared.request.targets.find((t) => t.ecu === ecu)?.serialNumber;
      let lastPercent = -10;
      this.env.onProgress = (p: FlashProgress) => {
        if (p.percent - lastPercent < 10 && p.percent < 100) return;
        lastPercent = p.percent >= 100 ? -10 : p.percent;
        this.progress(campaignId, 'flashing', p.bytesDone, p.bytesTotal, serialOf(p.ecu));
      };
      // A retry is a new update (its own journal record and result id, which the backend would
      // otherwise drop as the first attempt's duplicate).
      const { request } = prepared;
      const updateId = attempt === 1 ? request.updateId : `${request.updateId}#${attempt}`;
      return await startUpdate({ ...request, updateId, attempt }, this.env);
    } catch (err) {
      if (err instanceof UpdateRefused) {
        await this.refuse(offer, 'refused', err.message);
        return null;
      }
      throw err;
    }
  }
}
