// One dual-bank ECU (the example's bcm, 4 KiB sectors, 10 ms erase per sector) on the 500 kbit/s timed in-memory
// bus, its region sized to the corpus pair: full reflash vs. delta update in the same run, with erase, transfer
// and check times from the flash engine's step hooks, for two kinds of bootloader: eraseOnWrite only (every erase
// inside the programming session) and eraseOnWrite + backgroundErase (read-while-write flash: the erase runs
// before the session while the application still runs; its time is printed and counted in the total). Each delta
// is compared with the full reflash of the same kind of ECU. The inactive bank holds the old release (as after an
// earlier update); the delta comes from the gateway's cache, encoded beforehand as prepare-update does.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { encodeInfoBlock } from '../../ecu-sim/image/app-info-block.ts';
import { memoryBusTransportFactory, startVehicle } from '../../ecu-sim/vehicle-runner.ts';
import { loadVehicleFile } from '../../ecu-sim/vehicle/load-vehicle.ts';
import type { VehicleDefinition } from '../../ecu-sim/vehicle/schema.ts';
import { MemoryCanBus, privateKeyFromHex, signRegion } from '@ota/uds';
import { connectEcu } from '../../vehicle-gateway/can/ecu-connection.ts';
import { flashEcu, type FlashJob } from '../../vehicle-gateway/flash/flash-ecu.ts';
import { imageForLayout } from '../../vehicle-gateway/flash/image.ts';
import type { FlashStep } from '../../vehicle-gateway/flash/result.ts';
import type { TransferMode } from '../../vehicle-gateway/flash/transfer-plan.ts';
import { EcuDeltaCache } from '../../vehicle-gateway/journal/ecu-delta-cache.ts';
import { parseVehicleDefinition } from '../../vehicle-gateway/vehicle/load.ts';

export const CORPUS = '/work/shared/corpus/delta';
export const PAIRS = ['xz-liblzma-sec-arm64', 'openssh-sshd-sec-armhf'];
export const EXAMPLE = resolve(import.meta.dirname, '../../ecu-sim/vehicles/example.json');
const ECU = 'bcm';

/** What the ECU's bootloader reports in F1A2 (the same for the full reflash and the update it is compared with). */
export interface Capabilities {
  name: string;
  eraseOnWrite: boolean;
  backgroundErase: boolean;
}
const ERASE_ON_WRITE: Capabilities = { name: 'eraseOnWrite', eraseOnWrite: true, backgroundErase: false };
const READ_WHILE_WRITE: Capabilities = {
  name: 'eraseOnWrite + backgroundErase',
  eraseOnWrite: true,
  backgroundErase: true,
};

export interface Variant {
  name: string;
  mode: TransferMode;
  ecu: Capabilities;
}
const VARIANTS: Variant[] = [
  { name: 'full reflash', mode: 'full', ecu: ERASE_ON_WRITE },
  { name: 'delta', mode: 'compressed', ecu: ERASE_ON_WRITE },
  { name: 'full reflash', mode: 'full', ecu: READ_WHILE_WRITE },
  { name: 'delta', mode: 'compressed', ecu: READ_WHILE_WRITE },
];

/** Seconds per phase: background (0207 in the extended session, the application running), erase (FF00),
 * transfer (RequestDownload..TransferData: the ECU applies the delta while it arrives, erasing with eraseOnWrite
 * what is not blank and programming the changed sectors), exit (RequestTransferExit: what the ECU has left of
 * that when the last block is answered, its fsync and the result's SHA-256), check (0202, FF01), other. */
export type Phases = Record<'background' | 'erase' | 'transfer' | 'exit' | 'check' | 'other', number>;

function phaseOf(step: FlashStep): keyof Phases {
  if (step === 'backgroundErase') return 'background';
  if (step === 'erase') return 'erase';
  if (step === 'download') return 'transfer';
  if (step === 'transferExit') return 'exit';
  if (step === 'checkMemory' || step === 'checkDependencies') return 'check';
  return 'other';
}

export interface Row {
  pair: string;
  variant: Variant;
  phases: Phases;
  seconds: number;
  frames: number;
  result: string;
}

/** Sectors whose content differs, and how many of those the new content reaches from the old by 1->0 only. */
function sectorStats(old: Uint8Array, next: Uint8Array, sector: number): { changed: number; clearOnly: number } {
  let changed = 0;
  let clearOnly = 0;
  for (let i = 0; i < next.length; i += sector) {
    const o = old.subarray(i, i + sector);
    const n = next.subarray(i, i + sector);
    if (Buffer.compare(o, n) === 0) continue;
    changed++;
    if (n.every((b, k) => ((o[k] as number) & b) === b)) clearOnly++;
  }
  return { changed, clearOnly };
}

/** The corpus file padded with erased bytes to `size`, the ECU's info block on top. */
export function imageOf(file: string, size: number, hardwareId: string, version: string): Uint8Array {
  const out = new Uint8Array(size).fill(0xff);
  out.set(readFileSync(file).subarray(0, size));
  out.set(encodeInfoBlock({ hardwareId, softwareVersion: version }), 0);
  return out;
}

function ecuDefinition(loaded: VehicleDefinition, size: number, oldFile: string, capabilities: Capabilities) {
  const bcm = loaded.ecus.find((e) => e.name === ECU)!;
  return {
    ...loaded,
    ecus: [
      {
        ...bcm,
        flash: { ...bcm.flash, regions: bcm.flash.regions.slice(0, 1).map((r) => ({ ...r, size })) },
        simulation: {
          ...bcm.simulation,
          initialImages: [oldFile],
          eraseOnWrite: capabilities.eraseOnWrite,
          backgroundErase: capabilities.backgroundErase,
          inactiveBank: 'initialImage' as const,
        },
      },
    ],
    simulation: {
      ...loaded.simulation,
      testSigningKeyFile: resolve(import.meta.dirname, '../../ecu-sim/vehicles', loaded.simulation.testSigningKeyFile),
    },
  };
}

export async function runVariant(
  definition: VehicleDefinition,
  images: { old: Uint8Array; next: Uint8Array; signature: Uint8Array },
  variant: Variant,
  deltas: EcuDeltaCache,
  extra: Partial<FlashJob> = {},
): Promise<Omit<Row, 'pair' | 'variant'>> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-one-ecu-'));
  const bus = new MemoryCanBus({ bitrate: 500_000 });
  const vehicle = await startVehicle({
    definition,
    stateDir: dir,
    transportFactory: memoryBusTransportFactory(new Map([['vcan0', bus]])),
  });
  const ecu = parseVehicleDefinition(JSON.parse(JSON.stringify(definition)), 'bench').ecus[0]!;
  const conn = connectEcu(bus.attach('gateway'), ecu);
  const phases: Phases = { background: 0, erase: 0, transfer: 0, exit: 0, check: 0, other: 0 };
  let current: { phase: keyof Phases; since: number } | null = null;
  const close = (now: number) => {
    if (current) phases[current.phase] += (now - current.since) / 1000;
  };
  const frames = bus.framesCarried;
  const started = performance.now();
  try {
    const outcome = await flashEcu(
      {
        ecu,
        image: imageForLayout(ecu.flash, images.next, [images.signature]),
        expected: { serialNumber: ecu.identification.serialNumber, hardwareId: ecu.identification.hardwareId },
        secret: Buffer.from(definition.ecus[0]!.simulation.securitySecret, 'hex'),
        fingerprint: Uint8Array.of(1),
        currentImage: images.old,
        deltaEncoder: deltas.encoder(),
        mode: variant.mode,
        confirmDualBank: true,
        ...extra,
      },
      conn.link,
      conn.functional,
      {
        beforeStep: (step) => {
          const now = performance.now();
          close(now);
          current = { phase: phaseOf(step), since: now };
        },
      },
    );
    const ended = performance.now();
    close(ended);
    return {
      phases,
      seconds: (ended - started) / 1000,
      frames: bus.framesCarried - frames,
      result: outcome.status === 'succeeded' ? outcome.methods.join('+') : `failed: ${outcome.error}`,
    };
  } finally {
    await conn.close();
    await vehicle.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** A corpus pair as images of `ecuName`'s region (sized to the pair), and the test key to sign them. */
export function pairImages(pair: string, loaded: VehicleDefinition, ecuName: string) {
  const ecu = loaded.ecus.find((e) => e.name === ecuName)!;
  const sector = ecu.flash.sectorSize;
  const length = Math.max(readFileSync(`${CORPUS}/${pair}.old`).length, readFileSync(`${CORPUS}/${pair}.new`).length);
  const size = Math.ceil(length / sector) * sector;
  const hw = ecu.identification.hardwareId;
  const old = imageOf(`${CORPUS}/${pair}.old`, size, hw, ecu.simulation.softwareVersion);
  const next = imageOf(`${CORPUS}/${pair}.new`, size, hw, '9.9.9');
  const key = privateKeyFromHex(
    readFileSync(resolve(dirname(EXAMPLE), loaded.simulation.testSigningKeyFile), 'utf8').trim(),
  );
  return { sector, size, old, next, key };
}

async function benchPair(pair: string, loaded: VehicleDefinition, dir: string, deltas: EcuDeltaCache) {
  const { sector, size, old, next, key } = pairImages(pair, loaded, ECU);
  const oldFile = join(dir, `${pair}.old.bin`);
  await writeFile(oldFile, old);
  const { changed, clearOnly } = sectorStats(old, next, sector);
  const t0 = performance.now();
  const payload = deltas.get(old, next);
  const encodeSeconds = (performance.now() - t0) / 1000;
  console.log(
    `${pair}: region ${size} bytes (${size / sector} sectors of ${sector}), ${changed} sectors differ (${clearOnly} of them only clear bits, programmable without an erase on flash without ECC); ECU-side delta ${payload.length} bytes, encoded once at prepare time in ${encodeSeconds.toFixed(2)} s (cached; not in the times below)`,
  );
  const rows: Row[] = [];
  for (const variant of VARIANTS) {
    const definition = ecuDefinition(loaded, size, oldFile, variant.ecu);
    const images = { old, next, signature: signRegion(key, next) };
    rows.push({ pair, variant, ...(await runVariant(definition, images, variant, deltas)) });
  }
  return rows;
}

export async function oneEcuBench(): Promise<void> {
  const loaded = loadVehicleFile(EXAMPLE).definition;
  const dir = await mkdtemp(join(tmpdir(), 'bench-one-ecu-images-'));
  const deltas = new EcuDeltaCache(join(dir, 'ecu-deltas'));
  console.log(
    'one dual-bank ECU (bcm), in-memory bus timed as 500 kbit/s classical CAN; inactive bank holds the old release;\n' +
      'each update is compared with the full reflash of an ECU with the same F1A2 capabilities. backgroundErase:\n' +
      'read-while-write flash, routine 0207 erases the inactive bank in the extended session while the application\n' +
      'runs ("background erase", counted in "total"; "without background" is the rest of the update)\n',
  );
  const rows: Row[] = [];
  try {
    for (const pair of PAIRS) rows.push(...(await benchPair(pair, loaded, dir, deltas)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  printRows(rows);
}

/** The table of `rows`, each update's times beside the full reflash of the same pair and kind of ECU. */
export function printRows(rows: Row[]): void {
  console.log(
    '\n| pair | ECU (F1A2) | update | result | background erase (s) | erase (s) | transfer (s) | exit (s) | check (s) | other (s) | without background (s) | total (s) | CAN frames | vs full, without background | vs full, total |',
  );
  console.log('| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const full = rows.find((f) => f.pair === r.pair && f.variant.ecu === r.variant.ecu && f.variant.mode === 'full')!;
    const p = r.phases;
    const foreground = (row: Row) => row.seconds - row.phases.background;
    const cells = [p.background, p.erase, p.transfer, p.exit, p.check, p.other, foreground(r), r.seconds];
    console.log(
      `| ${r.pair} | ${r.variant.ecu.name} | ${r.variant.name} | ${r.result} | ${cells.map((c) => c.toFixed(2)).join(' | ')} | ${r.frames} | ${(foreground(r) / foreground(full)).toFixed(3)}x | ${(r.seconds / full.seconds).toFixed(3)}x |`,
    );
  }
}
