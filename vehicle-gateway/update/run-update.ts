// All-or-nothing vehicle update: flash the ECUs in dependency order; when one fails, roll back the ones already
// updated; confirm dual-bank ECUs (0205) only once every ECU succeeded. Every transition is written to the
// journal before it is taken, and `resumeUpdate` continues an interrupted update from its record: an
// interrupted flash is redone (or recognised as done), an interrupted rollback is finished, a finished update
// keeps its one report.
import { confirmActiveBank } from '../flash/bank-control.ts';
import type { EcuLink, FunctionalLink } from '../flash/ecu-link.ts';
import { fingerprint } from '../flash/fingerprint.ts';
import { FlashAborted, flashEcu, type FlashProgress } from '../flash/flash-ecu.ts';
import { imageForLayout } from '../flash/image.ts';
import { readVersionAndHash } from '../flash/identification.ts';
import { describeError, type FlashOutcome, type FlashStep } from '../flash/result.ts';
import type { TransferMode } from '../flash/transfer-plan.ts';
import type { ImageStore } from '../journal/image-store.ts';
import { JournalAbort, type UpdateJournal } from '../journal/update-journal.ts';
import type { EcuRecord, EcuTarget, FlashAttempt, UpdateRecord } from '../journal/update-record.ts';
import type { PublicEcuDefinition, PublicVehicleDefinition } from '@ota/uds/vehicle';
import { dependencyOrder } from './dependency-order.ts';
import { buildReport } from './report.ts';
import { rollbackEcu } from './rollback.ts';
import type { EcuAccessKeys } from '../flash/security.ts';
import type { TesterCredential } from '@ota/uds';
import { ecuDeltaCacheBeside } from '../journal/ecu-delta-cache.ts';
import { inPlaceCacheBeside } from '../journal/in-place-cache.ts';

export interface EcuSession {
  link: EcuLink;
  functional: FunctionalLink;
  close(): Promise<void>;
}

export interface UpdateEnvironment {
  vehicle: PublicVehicleDefinition;
  connect(ecu: PublicEcuDefinition): Promise<EcuSession>;
  secret(ecu: string): Uint8Array;
  /** The gateway's tester certificate, for ECUs that authenticate by certificate (0x29). */
  tester?: TesterCredential;
  images: ImageStore;
  journal: UpdateJournal;
  mode?: TransferMode;
  onProgress?: (p: FlashProgress) => void;
  testerId?: string;
}

function accessKeys(env: UpdateEnvironment, ecu: PublicEcuDefinition): EcuAccessKeys {
  return { ecu, secret: env.secret(ecu.name), ...(env.tester ? { tester: env.tester } : {}) };
}

export interface UpdateRequest {
  updateId: string;
  reference: string;
  /** The offer's attempt at the campaign `reference` names (connected mode). */
  attempt?: number;
  targets: readonly EcuTarget[];
}

/** The update cannot start; no ECU was touched. */
export class UpdateRefused extends Error {
  override readonly name = 'UpdateRefused';
}

function isKill(err: unknown): boolean {
  return err instanceof JournalAbort || err instanceof FlashAborted;
}

function ecuDefinition(env: UpdateEnvironment, name: string): PublicEcuDefinition {
  const ecu = env.vehicle.ecus.find((e) => e.name === name);
  if (!ecu) throw new UpdateRefused(`the update names ECU "${name}", which this vehicle does not have`);
  return ecu;
}

function attemptOf(outcome: FlashOutcome): FlashAttempt {
  return outcome.status === 'succeeded'
    ? {
        status: 'succeeded',
        step: null,
        error: null,
        nrc: null,
        nrcName: null,
        memoryTouched: true,
        bytesSent: outcome.bytesSent,
        durationMs: outcome.durationMs,
        methods: outcome.methods,
      }
    : {
        status: 'failed',
        step: outcome.step,
        error: outcome.error,
        nrc: outcome.nrc,
        nrcName: outcome.nrcName,
        memoryTouched: outcome.memoryTouched,
        bytesSent: outcome.bytesSent,
        durationMs: outcome.durationMs,
        methods: [],
      };
}

/** Checks everything that can be checked without touching an ECU. */
function checkRequest(req: UpdateRequest, env: UpdateEnvironment): string[] {
  if (req.targets.length === 0) throw new UpdateRefused('an update names at least one ECU');
  const existing = env.journal.current();
  if (existing && !(existing.phase === 'finished' && existing.reported)) {
    throw new UpdateRefused(`update ${existing.updateId} is not finished yet; resume it first`);
  }
  for (const t of req.targets) {
    const ecu = ecuDefinition(env, t.ecu);
    if (t.serialNumber !== ecu.identification.serialNumber) {
      throw new UpdateRefused(
        `${t.ecu}: the update is for serial ${t.serialNumber}, this vehicle's ECU has ${ecu.identification.serialNumber}`,
      );
    }
    const image = env.images.get(t.toSha256);
    if (!image) throw new UpdateRefused(`${t.ecu}: the verified image ${t.toSha256} is not in the image store`);
    imageForLayout(ecu.flash, image.bytes, image.signatures);
    if (image.hardwareId !== t.hardwareId || t.hardwareId !== ecu.identification.hardwareId) {
      throw new UpdateRefused(
        `${t.ecu}: the image is built for ${image.hardwareId}, the ECU is ${ecu.identification.hardwareId}`,
      );
    }
    if (ecu.flash.banks === 'single' && !env.images.has(t.fromSha256)) {
      throw new UpdateRefused(
        `${t.ecu}: single-bank ECU without a kept copy of its current image ${t.fromSha256}; it could not be rolled back`,
      );
    }
  }
  return dependencyOrder(req.targets);
}

export async function startUpdate(req: UpdateRequest, env: UpdateEnvironment): Promise<UpdateRecord> {
  let order: string[];
  try {
    order = checkRequest(req, env);
  } catch (err) {
    throw err instanceof UpdateRefused ? err : new UpdateRefused(describeError(err));
  }
  const existing = env.journal.current();
  if (existing) env.journal.archive(existing);
  const ecus: Record<string, EcuRecord> = {};
  for (const t of req.targets)
    ecus[t.ecu] = { target: t, phase: 'pending', step: null, attempt: null, rollback: null, rollbackError: null };
  const record: UpdateRecord = {
    format: 1,
    updateId: req.updateId,
    reference: req.reference,
    ...(req.attempt !== undefined ? { attempt: req.attempt } : {}),
    phase: 'flashing',
    order,
    ecus,
    failure: null,
    report: null,
    reported: false,
    startedAt: new Date().toISOString(),
    restarts: 0,
  };
  env.journal.save(record);
  return drive(record, env);
}

/** Continues an interrupted update; returns null when there is none. A finished one is returned unchanged. */
export async function resumeUpdate(env: UpdateEnvironment): Promise<UpdateRecord | null> {
  const record = env.journal.current();
  if (!record) return null;
  if (record.phase === 'finished') return record;
  record.restarts++;
  env.journal.save(record);
  return drive(record, env);
}

async function withSession<T>(
  env: UpdateEnvironment,
  name: string,
  use: (s: EcuSession, ecu: PublicEcuDefinition) => Promise<T>,
): Promise<T> {
  const ecu = ecuDefinition(env, name);
  const session = await env.connect(ecu);
  try {
    return await use(session, ecu);
  } finally {
    await session.close();
  }
}

function get(record: UpdateRecord, name: string): EcuRecord {
  const r = record.ecus[name];
  if (!r) throw new Error(`internal: no record for ${name}`);
  return r;
}

async function flashOne(record: UpdateRecord, name: string, env: UpdateEnvironment): Promise<boolean> {
  const r = get(record, name);
  const t = r.target;
  const save = () => env.journal.save(record);
  try {
    return await withSession(env, name, async (session, ecu) => {
      if (r.phase === 'flashing') {
        // Interrupted earlier: the ECU may already run the new image (killed after its reset).
        const now = await readVersionAndHash(session.link).catch(() => null);
        if (now?.sha256 === t.toSha256) {
          r.phase = 'flashed';
          save();
          return true;
        }
      }
      r.phase = 'flashing';
      r.step = null;
      save();
      const image = env.images.get(t.toSha256);
      if (!image) throw new Error(`the image ${t.toSha256} vanished from the image store`);
      const outcome = await flashEcu(
        {
          ecu,
          image: imageForLayout(ecu.flash, image.bytes, image.signatures),
          expected: {
            serialNumber: t.serialNumber,
            hardwareId: t.hardwareId,
            vin: env.vehicle.vin,
            version: t.toVersion,
          },
          secret: env.secret(name),
          ...(env.tester ? { tester: env.tester } : {}),
          fingerprint: fingerprint(env.testerId ?? 'gateway', record.reference),
          currentImage: env.images.get(t.fromSha256)?.bytes ?? null,
          deltaEncoder: ecuDeltaCacheBeside(env.images).encoder(),
          inPlaceEncoder: inPlaceCacheBeside(env.images, ecu.flash).encoder(),
          mode: env.mode ?? 'auto',
          confirmDualBank: false,
        },
        session.link,
        session.functional,
        {
          ...(env.onProgress ? { onProgress: env.onProgress } : {}),
          beforeStep: (step) => {
            r.step = step;
            save();
          },
        },
      );
      r.attempt = attemptOf(outcome);
      if (outcome.status === 'failed') {
        r.phase = 'failed';
        record.failure = `${name} failed at ${outcome.step}: ${outcome.error}`;
        record.phase = 'rolling_back';
      } else {
        r.phase = 'flashed';
      }
      save();
      return outcome.status === 'succeeded';
    });
  } catch (err) {
    if (isKill(err)) throw err;
    r.phase = 'failed';
    r.attempt = {
      status: 'failed',
      step: r.step,
      error: describeError(err),
      nrc: null,
      nrcName: null,
      memoryTouched: r.step !== null,
      bytesSent: 0,
      durationMs: 0,
      methods: [],
    };
    record.failure = `${name} failed: ${describeError(err)}`;
    record.phase = 'rolling_back';
    save();
    return false;
  }
}

async function confirmAll(record: UpdateRecord, env: UpdateEnvironment): Promise<void> {
  for (const name of record.order) {
    const r = get(record, name);
    if (r.phase !== 'flashed') continue;
    try {
      await withSession(env, name, async (session, ecu) => {
        if (ecu.flash.banks === 'dual') await confirmActiveBank(session.link, accessKeys(env, ecu));
      });
      r.phase = 'confirmed';
      env.journal.save(record);
    } catch (err) {
      if (isKill(err)) throw err;
      r.phase = 'failed';
      r.attempt = {
        status: 'failed',
        step: 'confirmBank',
        error: describeError(err),
        nrc: null,
        nrcName: null,
        memoryTouched: true,
        bytesSent: r.attempt?.bytesSent ?? 0,
        durationMs: r.attempt?.durationMs ?? 0,
        methods: r.attempt?.methods ?? [],
      };
      record.failure = `${name}: confirming the new bank failed: ${describeError(err)}`;
      record.phase = 'rolling_back';
      env.journal.save(record);
      return;
    }
  }
  record.phase = 'finished';
  record.report = buildReport(record);
  env.journal.save(record);
}

/** Steps from which on a dual-bank ECU may run (or have tried to run) the new bank. */
const BANK_SWITCHING_STEPS: readonly (FlashStep | null)[] = [
  'reset',
  'verify',
  'confirmBank',
  'restoreCommunication',
  'clearDtcs',
];

function needsRollback(r: EcuRecord, ecu: PublicEcuDefinition): boolean {
  if (r.rollback === 'done') return false;
  if (r.phase === 'flashed' || r.phase === 'confirmed' || r.phase === 'flashing') return true;
  if (r.phase !== 'failed') return false;
  // A dual-bank ECU that failed before its reset still runs its untouched active bank.
  if (ecu.flash.banks === 'dual') return BANK_SWITCHING_STEPS.includes(r.attempt?.step ?? null);
  return r.attempt?.memoryTouched ?? true;
}

async function rollbackAll(record: UpdateRecord, env: UpdateEnvironment): Promise<void> {
  for (const name of [...record.order].reverse()) {
    const r = get(record, name);
    if (!needsRollback(r, ecuDefinition(env, name))) continue;
    r.rollback = 'in_progress';
    env.journal.save(record);
    try {
      await withSession(env, name, (session, ecu) =>
        rollbackEcu({
          ecu,
          target: r.target,
          link: session.link,
          functional: session.functional,
          secret: env.secret(name),
          ...(env.tester ? { tester: env.tester } : {}),
          images: env.images,
          fingerprint: fingerprint(env.testerId ?? 'gateway', record.reference),
        }),
      );
      r.rollback = 'done';
      r.rollbackError = null;
    } catch (err) {
      if (isKill(err)) throw err;
      r.rollback = 'failed';
      r.rollbackError = `rollback failed: ${describeError(err)}`;
    }
    env.journal.save(record);
  }
  record.phase = 'finished';
  record.report = buildReport(record);
  env.journal.save(record);
}

async function drive(record: UpdateRecord, env: UpdateEnvironment): Promise<UpdateRecord> {
  if (record.phase === 'flashing') {
    for (const name of record.order) {
      const r = get(record, name);
      if (r.phase !== 'pending' && r.phase !== 'flashing') continue;
      if (!(await flashOne(record, name, env))) break;
    }
    if (record.phase === 'flashing') {
      record.phase = 'confirming';
      env.journal.save(record);
    }
  }
  if (record.phase === 'confirming') await confirmAll(record, env);
  if (record.phase === 'rolling_back') await rollbackAll(record, env);
  return record;
}
