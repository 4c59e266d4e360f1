// The per-ECU programming sequence of flash-protocol.md, steps 1-14, over an EcuLink. Every step is announced to
// `beforeStep` first (the journal records it there); an error thrown by that hook stops the engine at once,
// without any clean-up, exactly like a gateway that was killed at that moment.
import {
  NegativeResponseError,
  ALL_DTC_GROUPS,
  CommunicationControlType,
  CommunicationType,
  DataIdentifier,
  DiagnosticSession,
  DtcSettingType,
  encodeMemoryRange,
  ResetType,
  RoutineId,
} from '@ota/uds';
import type { PublicEcuDefinition } from '@ota/uds/vehicle';
import { confirmActiveBank } from './bank-control.ts';
import type { EcuLink, FunctionalLink } from './ecu-link.ts';
import { type FlashImage, imageSha256, sha256Hex } from './image.ts';
import {
  NO_BOOTLOADER_CAPABILITIES,
  readBankInfo,
  readBootloaderCapabilities,
  readIdentity,
  type BootloaderCapabilities,
} from './identification.ts';
import { IN_PLACE_METHOD, inPlaceEncoderFor } from './in-place-plan.ts';
import { decodePreconditions } from './preconditions.ts';
import { waitForEcu } from './reset.ts';
import { FlashStepError, describeError, type FlashOutcome, type FlashStep, type RegionMethod } from './result.ts';
import { gainProgrammingAccess } from './security.ts';
import type { TesterCredential } from '@ota/uds';
import {
  fullRegionOps,
  planBusBytes,
  planRegion,
  type RegionOp,
  type DeltaEncoder,
  type RegionPlan,
  type TransferMode,
} from './transfer-plan.ts';

export interface FlashJob {
  ecu: PublicEcuDefinition;
  image: FlashImage;
  /** What the signed metadata (or the engineer's vehicle file) names; a different ECU is refused. */
  expected: { serialNumber: string; hardwareId: string; vin?: string; version?: string };
  secret: Uint8Array;
  /** The gateway's tester certificate, for ECUs whose `access` is certificate Authentication (0x29). */
  tester?: TesterCredential;
  /** Written to F15A before erasing: tester id, date, campaign reference. */
  fingerprint: Uint8Array;
  /** The ECU's current regions back to back, when the gateway kept a copy; used only if it matches F1A0. */
  currentImage?: Uint8Array | null;
  mode?: TransferMode;
  /** Where ECU-side deltas come from (the gateway's cache, filled when the update was prepared). */
  deltaEncoder?: DeltaEncoder;
  /** Where in-place patches come from (the gateway's cache), for a single-bank ECU reporting F1A2 inPlaceDelta. */
  inPlaceEncoder?: DeltaEncoder;
  /** Dual-bank: confirm the new bank (0205) at once. A vehicle update confirms only after every ECU succeeded. */
  confirmDualBank?: boolean;
}

export interface FlashProgress {
  ecu: string;
  step: FlashStep;
  bytesDone: number;
  bytesTotal: number;
  percent: number;
}

export interface FlashHooks {
  onProgress?: (progress: FlashProgress) => void;
  beforeStep?: (step: FlashStep) => Promise<void> | void;
}

/** Thrown out of flashEcu (never turned into a result) when a beforeStep hook throws: a simulated kill. */
export class FlashAborted extends Error {
  override readonly name = 'FlashAborted';
}

const TRANSFER_RETRIES = 3;

class Run {
  step: FlashStep = 'identify';
  /** TransferData request bytes on the bus, retries included. */
  bytesSent = 0;
  /** Payload bytes acknowledged, and the payload of the whole plan: what progress counts. */
  payloadDone = 0;
  bytesTotal = 0;
  memoryTouched = false;
  communicationDisabled = false;
  enteredProgramming = false;
  resetSent = false;
  fromVersion: string | null = null;
  fromSha256: string | null = null;
  /** What the bootloader offers (F1A2); read while identifying it. */
  capabilities: BootloaderCapabilities = NO_BOOTLOADER_CAPABILITIES;

  constructor(
    readonly job: FlashJob,
    readonly link: EcuLink,
    readonly functional: FunctionalLink,
    readonly hooks: FlashHooks,
  ) {}

  async enter(step: FlashStep): Promise<void> {
    this.step = step;
    try {
      await this.hooks.beforeStep?.(step);
    } catch (err) {
      throw new FlashAborted(`aborted before ${step}: ${describeError(err)}`, { cause: err });
    }
    this.progress();
  }

  progress(): void {
    const total = this.bytesTotal;
    this.hooks.onProgress?.({
      ecu: this.job.ecu.name,
      step: this.step,
      bytesDone: this.payloadDone,
      bytesTotal: total,
      percent: total === 0 ? 0 : Math.min(100, Math.round((this.payloadDone / total) * 1000) / 10),
    });
  }

  /** Runs one UDS exchange of the current step; a failure becomes a FlashStepError naming the step. */
  async uds<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof FlashStepError || err instanceof FlashAborted) throw err;
      throw new FlashStepError(
        this.step,
        `${what} failed${err instanceof NegativeResponseError ? '' : `: ${describeError(err)}`}`,
        err,
      );
    }
  }
}

function routineOk(step: FlashStep, what: string, status: Uint8Array): void {
  if (status.length > 0 && status[0] !== 0x00) {
    throw new FlashStepError(step, `${what} answered status 0x${(status[0] as number).toString(16).padStart(2, '0')}`);
  }
}

async function identify(run: Run): Promise<void> {
  const { expected, ecu } = run.job;
  await run.enter('identify');
  const id = await run.uds('reading the identification DIDs', () => readIdentity(run.link));
  run.fromVersion = id.softwareVersion;
  run.fromSha256 = id.sha256;
  if (ecu.flash.banks === 'dual' || ecu.flash.compressionMethods.some((m) => m.name === IN_PLACE_METHOD))
    run.capabilities = await run.uds('reading F1A2 bootloader capabilities', () =>
      readBootloaderCapabilities(run.link),
    );
  if (id.serialNumber !== expected.serialNumber) {
    throw new FlashStepError(
      'identify',
      `ECU ${ecu.name} reports serial ${id.serialNumber}, the update is for ${expected.serialNumber}`,
    );
  }
  if (id.hardwareId !== expected.hardwareId) {
    throw new FlashStepError(
      'identify',
      `ECU ${ecu.name} reports hardware id ${id.hardwareId}, the image is built for ${expected.hardwareId}`,
    );
  }
  if (expected.vin !== undefined && id.vin !== expected.vin) {
    throw new FlashStepError('identify', `ECU ${ecu.name} reports VIN ${id.vin}, the update is for ${expected.vin}`);
  }
}

function plan(run: Run): RegionPlan[] {
  const { job } = run;
  const known = job.currentImage && run.fromSha256 === sha256Hex(job.currentImage) ? job.currentImage : null;
  let offset = 0;
  return job.image.regions.map((region) => {
    const current = known ? known.subarray(offset, offset + region.data.length) : null;
    offset += region.data.length;
    return planRegion(job.ecu.flash, region.address, current, region.data, job.mode ?? 'auto', {
      ...(job.deltaEncoder ? { encodeDelta: job.deltaEncoder } : {}),
      eraseOnWrite: run.capabilities.eraseOnWrite,
      backgroundErase: run.capabilities.backgroundErase,
      ...(run.capabilities.inPlaceDelta
        ? { encodeInPlace: job.inPlaceEncoder ?? inPlaceEncoderFor(job.ecu.flash) }
        : {}),
    });
  });
}

/**
 * A read-while-write ECU erases its inactive bank in the extended session, its application still running
 * (0207 per range, 0x78 while it erases); the programming session then only programs. Programming rights first:
 * erasing the inactive bank gives up the previous release it may hold.
 */
async function eraseInBackground(run: Run, plans: readonly RegionPlan[]): Promise<void> {
  const ranges = plans.flatMap((p) => p.background);
  if (ranges.length === 0) return;
  await run.enter('backgroundErase');
  run.memoryTouched = true;
  await run.uds('SecurityAccess in the extended session', () => gainProgrammingAccess(run.link, run.job));
  for (const range of ranges) {
    const status = await run.uds('eraseInactiveBank (0207)', () =>
      run.link.startRoutine(RoutineId.eraseInactiveBank, encodeMemoryRange(range.address, range.size)),
    );
    routineOk('backgroundErase', 'eraseInactiveBank', status);
  }
}

async function prepare(run: Run, plans: readonly RegionPlan[]): Promise<void> {
  const { link, functional } = run;
  await run.enter('extendedSession');
  await run.uds('10 03 extended session', () => link.diagnosticSessionControl(DiagnosticSession.extended));
  await eraseInBackground(run, plans);
  await run.enter('preconditions');
  const status = await run.uds('checkProgrammingPreconditions (0203)', () =>
    link.startRoutine(RoutineId.checkProgrammingPreconditions),
  );
  const check = decodePreconditions(status);
  if (!check.ok)
    throw new FlashStepError('preconditions', `programming preconditions not met: ${check.reasons.join(', ')}`);
  await run.enter('disableCommunication');
  run.communicationDisabled = true;
  await run.uds('85 82 DTC setting off', () => functional.controlDtcSetting(DtcSettingType.off));
  await run.uds('28 83 01 disable communication', () =>
    functional.communicationControl(CommunicationControlType.disableRxAndTx, CommunicationType.normal),
  );
  await run.enter('programmingSession');
  run.enteredProgramming = true;
  await run.uds('10 02 programming session', () => link.diagnosticSessionControl(DiagnosticSession.programming));
  await run.uds(run.job.ecu.access === 'seedKey' ? 'SecurityAccess 0x11' : 'Authentication 0x29', () =>
    gainProgrammingAccess(link, run.job, (method) =>
      run.enter(method === 'certificate' ? 'authentication' : 'securityAccess'),
    ),
  );
  await run.enter('fingerprint');
  await run.uds('2E F15A fingerprint', () =>
    link.writeDataByIdentifier(DataIdentifier.fingerprintWrite, run.job.fingerprint),
  );
}

async function sendBlock(run: Run, bsc: number, block: Uint8Array): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await run.link.transferData(bsc, block);
      return;
    } catch (err) {
      // A lost response: repeat the same counter, the ECU acknowledges without writing twice.
      if (err instanceof NegativeResponseError || attempt >= TRANSFER_RETRIES) {
        throw new FlashStepError('download', `TransferData block 0x${bsc.toString(16).padStart(2, '0')} failed`, err);
      }
    } finally {
      run.bytesSent += 2 + block.length;
    }
  }
}

async function runOp(run: Run, op: RegionOp): Promise<void> {
  const { link } = run;
  if (op.kind === 'erase') {
    await run.enter('erase');
    run.memoryTouched = true;
    const status = await run.uds('eraseMemory (FF00)', () =>
      link.startRoutine(RoutineId.eraseMemory, encodeMemoryRange(op.address, op.size)),
    );
    routineOk('erase', 'eraseMemory', status);
    return;
  }
  if (op.kind === 'copy') {
    await run.enter('copy');
    const status = await run.uds('copyFromActiveBank (0206)', () =>
      link.startRoutine(RoutineId.copyFromActiveBank, encodeMemoryRange(op.address, op.size)),
    );
    routineOk('copy', 'copyFromActiveBank', status);
    return;
  }
  await run.enter('download');
  run.memoryTouched = true;
  const maxBlockLength = await run.uds('RequestDownload', () =>
    link.requestDownload({ dataFormatIdentifier: op.dataFormatIdentifier, address: op.address, size: op.size }),
  );
  const blockData = maxBlockLength - 2;
  if (blockData < 1)
    throw new FlashStepError('download', `the ECU's maxNumberOfBlockLength ${maxBlockLength} leaves no room for data`);
  let bsc = 0x01;
  for (let offset = 0; offset < op.payload.length; offset += blockData) {
    const block = op.payload.subarray(offset, offset + blockData);
    await sendBlock(run, bsc, block);
    run.payloadDone += block.length;
    bsc = (bsc + 1) & 0xff;
    run.progress();
  }
  await run.enter('transferExit');
  await run.uds('RequestTransferExit', () => link.requestTransferExit());
}

function refusedCompression(err: unknown): boolean {
  if (!(err instanceof FlashStepError) || err.step !== 'download' || err.nrc === null) return false;
  const cause = err.cause;
  return cause instanceof NegativeResponseError && cause.sid === 0x34 && (err.nrc === 0x31 || err.nrc === 0x70);
}

async function program(run: Run, plans: RegionPlan[]): Promise<void> {
  const { link, job } = run;
  for (const [i, regionPlan] of plans.entries()) {
    const region = job.image.regions[i];
    if (!region) throw new FlashStepError('checkMemory', `no image for region ${i}`);
    try {
      for (const op of regionPlan.ops) await runOp(run, op);
    } catch (err) {
      const compressed = regionPlan.method === 'delta' || regionPlan.method === 'compressed';
      if (!compressed || !(job.mode === undefined || job.mode === 'auto') || !refusedCompression(err)) throw err;
      // The ECU declares the method but refused it: program the whole region uncompressed instead.
      run.bytesTotal += region.data.length;
      regionPlan.method = 'full';
      for (const op of fullRegionOps(region.address, region.data)) await runOp(run, op);
    }
    await run.enter('checkMemory');
    const status = await run.uds('checkMemory (0202)', () =>
      link.startRoutine(RoutineId.checkMemory, region.signature),
    );
    if (status[0] !== 0x00)
      throw new FlashStepError(
        'checkMemory',
        `the ECU rejected the image signature of region ${i} (status 0x${(status[0] ?? 0xff).toString(16)})`,
      );
  }
  await run.enter('checkDependencies');
  routineOk(
    'checkDependencies',
    'checkProgrammingDependencies',
    await run.uds('checkProgrammingDependencies (FF01)', () =>
      link.startRoutine(RoutineId.checkProgrammingDependencies),
    ),
  );
}

async function finish(run: Run): Promise<{ toVersion: string; toSha256: string; activeBank: 'A' | 'B' | null }> {
  const { link, functional, job } = run;
  await run.enter('reset');
  run.resetSent = true;
  await run.uds('11 01 hard reset', () => link.ecuReset(ResetType.hardReset));
  await run.enter('verify');
  const after = await run.uds('reading F189/F1A0 after the reset', () => waitForEcu(link));
  const wanted = imageSha256(job.image.regions);
  if (after.sha256 !== wanted) {
    throw new FlashStepError(
      'verify',
      `after the reset the ECU runs image ${after.sha256}, not the new ${wanted} (it stayed in its bootloader or fell back)`,
    );
  }
  if (job.expected.version !== undefined && after.softwareVersion !== job.expected.version) {
    throw new FlashStepError(
      'verify',
      `after the reset the ECU reports version ${after.softwareVersion}, not ${job.expected.version}`,
    );
  }
  const bank = job.ecu.flash.banks === 'dual' ? await run.uds('reading F1A1', () => readBankInfo(link)) : null;
  if (job.ecu.flash.banks === 'dual' && job.confirmDualBank) {
    await run.enter('confirmBank');
    await run.uds('confirmActiveBank (0205)', () => confirmActiveBank(link, job));
  }
  await run.enter('restoreCommunication');
  await restoreCommunication(functional);
  run.communicationDisabled = false;
  await run.enter('clearDtcs');
  await run.uds('14 FF FF FF clear DTCs', () => link.clearDiagnosticInformation(ALL_DTC_GROUPS));
  return { toVersion: after.softwareVersion, toSha256: after.sha256, activeBank: bank?.activeBank ?? null };
}

export async function restoreCommunication(functional: FunctionalLink): Promise<void> {
  await functional.communicationControl(CommunicationControlType.enableRxAndTx, CommunicationType.normal);
  await functional.controlDtcSetting(DtcSettingType.on);
}

/** Flashes one ECU. Failures come back as a `failed` outcome; only a simulated kill (FlashAborted) throws. */
export async function flashEcu(
  job: FlashJob,
  link: EcuLink,
  functional: FunctionalLink,
  hooks: FlashHooks = {},
): Promise<FlashOutcome> {
  const started = performance.now();
  const run = new Run(job, link, functional, hooks);
  const base = () => ({
    ecu: job.ecu.name,
    fromVersion: run.fromVersion,
    fromSha256: run.fromSha256,
    bytesSent: run.bytesSent,
    durationMs: Math.round(performance.now() - started),
  });
  try {
    await identify(run);
    const plans = await run.uds('planning the transfer', async () => plan(run));
    run.bytesTotal = plans.reduce((n, p) => n + planBusBytes(p), 0);
    await prepare(run, plans);
    await program(run, plans);
    const done = await finish(run);
    return { status: 'succeeded', ...base(), ...done, methods: plans.map((p) => p.method as RegionMethod) };
  } catch (err) {
    if (err instanceof FlashAborted) throw err;
    // Leave the bootloader: a dual-bank ECU runs its untouched active bank again, a single-bank one whose memory
    // was erased stays in its bootloader (and says so in F1A0) until it is reprogrammed.
    if (run.enteredProgramming && !run.resetSent) await link.ecuReset(ResetType.hardReset).catch(() => undefined);
    if (run.communicationDisabled) await restoreCommunication(functional).catch(() => undefined);
    const stepError = err instanceof FlashStepError ? err : new FlashStepError(run.step, describeError(err), err);
    return {
      status: 'failed',
      ...base(),
      step: stepError.step,
      error: stepError.message,
      nrc: stepError.nrc,
      nrcName: stepError.nrcName,
      memoryTouched: run.memoryTouched,
    };
  }
}
