// Time and CAN frames to update the example vehicle's three ECUs (ecm single-bank, bcm and adas dual-bank) with
// a small realistic patch: the first 256 KiB of the liblzma security-fix pair of the corpus. Full reflash vs.
// compressed transfer vs. sector-differential programming, driven by the gateway's vehicle update over ecu-sim
// on the in-memory bus (timed like a 500 kbit/s classical CAN bus unless --untimed).
// Then one dual-bank ECU updated with the liblzma and sshd pairs: erase, transfer and check times (gateway-flash/one-ecu.ts),
// and one single-bank ECU updated in place vs. its full reflash (gateway-flash/in-place.ts).
// Usage: npm run bench -- gateway-flash [--size-kib N] [--untimed] [--modes full,compressed,sector-diff] [--one-ecu]
// (--one-ecu: only the one-ECU table)
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { memoryBusTransportFactory, startVehicle } from '../ecu-sim/vehicle-runner.ts';
import { loadVehicleFile } from '../ecu-sim/vehicle/load-vehicle.ts';
import type { VehicleDefinition } from '../ecu-sim/vehicle/schema.ts';
import { encodeInfoBlock } from '../ecu-sim/image/app-info-block.ts';
import { MemoryCanBus, privateKeyFromHex, signRegion } from '@ota/uds';
import { CanBuses } from '../vehicle-gateway/can/buses.ts';
import type { TransferMode } from '../vehicle-gateway/flash/transfer-plan.ts';
import { ImageStore } from '../vehicle-gateway/journal/image-store.ts';
import { UpdateJournal } from '../vehicle-gateway/journal/update-journal.ts';
import type { EcuTarget, UpdateRecord } from '../vehicle-gateway/journal/update-record.ts';
import { stageTarget } from '../test/integration/gateway/support/staged-target.ts';
import { startUpdate } from '../vehicle-gateway/update/run-update.ts';
import { parseVehicleDefinition } from '../vehicle-gateway/vehicle/load.ts';
import { oneEcuBench } from './gateway-flash/one-ecu.ts';
import { inPlaceBench } from './gateway-flash/in-place.ts';

const CORPUS = '/work/shared/corpus/delta/xz-liblzma-sec-arm64';
const EXAMPLE = resolve(import.meta.dirname, '../ecu-sim/vehicles/example.json');
const NEW_VERSIONS: Record<string, string> = { ecm: '2.4.2', bcm: '1.7.1', adas: '5.0.4' };

interface Row {
  mode: string;
  result: string;
  seconds: number;
  frames: number;
  transferBytes: number;
  methods: string;
}

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The corpus slice with an ECU's info block on top (what the bootloader checks). */
function imageFor(base: Buffer, size: number, hardwareId: string, version: string): Uint8Array {
  const out = new Uint8Array(size);
  out.set(base.subarray(0, size));
  out.set(encodeInfoBlock({ hardwareId, softwareVersion: version }), 0);
  return out;
}

/** Both images of every ECU in the gateway's image store (signed with the TEST key), and the update's targets. */
function stageTargets(
  definition: VehicleDefinition,
  images: ImageStore,
  oldImages: Map<string, Uint8Array>,
  newImages: Map<string, Uint8Array>,
): EcuTarget[] {
  const key = privateKeyFromHex(
    readFileSync(
      resolve(import.meta.dirname, '../ecu-sim/vehicles', definition.simulation.testSigningKeyFile),
      'utf8',
    ).trim(),
  );
  const signed = (version: string, bytes: Uint8Array) => ({ version, bytes, signatures: [signRegion(key, bytes)] });
  return definition.ecus.map((e) =>
    stageTarget(
      images,
      e,
      signed(e.simulation.softwareVersion, oldImages.get(e.name)!),
      signed(NEW_VERSIONS[e.name]!, newImages.get(e.name)!),
    ),
  );
}

function rowOf(mode: TransferMode, record: UpdateRecord, seconds: number, frames: number): Row {
  const report = record.report!;
  const failed = report.ecus.find((e) => e.result !== 'succeeded');
  return {
    mode,
    result:
      report.result === 'succeeded'
        ? 'ok'
        : `${report.result}${failed ? ` (${failed.ecu}: ${failed.error ?? failed.result})` : ''}`,
    seconds,
    frames,
    transferBytes: report.ecus.reduce((n, e) => n + e.bytesSent, 0),
    methods: Object.values(record.ecus)
      .map((e) => `${e.target.ecu}:${e.attempt?.methods.join('+') || '-'}`)
      .join(' '),
  };
}

async function runMode(
  mode: TransferMode,
  definition: VehicleDefinition,
  oldImages: Map<string, Uint8Array>,
  newImages: Map<string, Uint8Array>,
  bitrate: number | undefined,
): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-gateway-'));
  const bus = new MemoryCanBus(bitrate ? { bitrate } : {});
  const vehicle = await startVehicle({
    definition,
    stateDir: join(dir, 'ecus'),
    transportFactory: memoryBusTransportFactory(new Map([['vcan0', bus]])),
  });
  const images = new ImageStore(join(dir, 'gateway', 'images'));
  const targets = stageTargets(definition, images, oldImages, newImages);
  const buses = new CanBuses(async () => bus.attach('gateway'));
  const framesBefore = bus.framesCarried;
  const started = performance.now();
  try {
    const record = await startUpdate(
      { updateId: `bench-${mode}`, reference: 'bench', targets },
      {
        vehicle: parseVehicleDefinition(JSON.parse(JSON.stringify(definition)), 'bench vehicle'),
        connect: (ecu) => buses.connect(ecu),
        secret: (name) => Buffer.from(definition.ecus.find((e) => e.name === name)!.simulation.securitySecret, 'hex'),
        images,
        journal: new UpdateJournal(join(dir, 'gateway')),
        mode,
      },
    );
    return rowOf(mode, record, (performance.now() - started) / 1000, bus.framesCarried - framesBefore);
  } finally {
    await buses.closeAll();
    await vehicle.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export default async function gatewayFlashBench(args: string[]): Promise<void> {
  if (!args.includes('--one-ecu')) await vehicleBench(args);
  console.log('');
  await oneEcuBench();
  await inPlaceBench();
}

async function vehicleBench(args: string[]): Promise<void> {
  const sizeKib = Number(arg(args, '--size-kib') ?? 256);
  const bitrate = args.includes('--untimed') ? undefined : 500_000;
  const modes = (arg(args, '--modes') ?? 'full,compressed,sector-diff').split(',') as TransferMode[];
  const size = sizeKib * 1024;
  const oldBase = readFileSync(`${CORPUS}.old`);
  const newBase = readFileSync(`${CORPUS}.new`);
  const dir = await mkdtemp(join(tmpdir(), 'bench-gateway-images-'));
  const loaded = loadVehicleFile(EXAMPLE).definition;
  const oldImages = new Map<string, Uint8Array>();
  const newImages = new Map<string, Uint8Array>();
  const ecus = [];
  for (const e of loaded.ecus) {
    const old = imageFor(oldBase, size, e.identification.hardwareId, e.simulation.softwareVersion);
    oldImages.set(e.name, old);
    newImages.set(e.name, imageFor(newBase, size, e.identification.hardwareId, NEW_VERSIONS[e.name]!));
    const file = join(dir, `${e.name}.old.bin`);
    await writeFile(file, old);
    ecus.push({
      ...e,
      flash: { ...e.flash, regions: e.flash.regions.map((r) => ({ ...r, size })) },
      simulation: { ...e.simulation, initialImages: [file] },
    });
  }
  const definition: VehicleDefinition = {
    ...loaded,
    ecus,
    simulation: {
      ...loaded.simulation,
      testSigningKeyFile: resolve(import.meta.dirname, '../ecu-sim/vehicles', loaded.simulation.testSigningKeyFile),
    },
  };
  const sectorsChanged = (() => {
    const o = oldImages.get('ecm')!;
    const n = newImages.get('ecm')!;
    let changed = 0;
    for (let i = 0; i < size; i += 4096)
      if (Buffer.compare(o.subarray(i, i + 4096), n.subarray(i, i + 4096)) !== 0) changed++;
    return changed;
  })();
  console.log(`patch: first ${sizeKib} KiB of ${CORPUS}.{old,new}; ${sectorsChanged} of ${size / 4096} sectors differ`);
  console.log(
    `bus: in-memory, ${bitrate ? `timed as ${bitrate / 1000} kbit/s classical CAN (adas uses CAN FD frames)` : 'untimed'}; ECUs: ecm single-bank, bcm/adas dual-bank (delta method declared)`,
  );
  const rows: Row[] = [];
  for (const mode of modes) {
    try {
      rows.push(await runMode(mode, definition, oldImages, newImages, bitrate));
    } catch (err) {
      rows.push({
        mode,
        result: `error: ${(err as Error).message}`,
        seconds: 0,
        frames: 0,
        transferBytes: 0,
        methods: '',
      });
    }
  }
  await rm(dir, { recursive: true, force: true });
  console.log('\n| transfer | result | time (s) | CAN frames | TransferData bytes | method per ECU |');
  console.log('| --- | --- | ---: | ---: | ---: | --- |');
  for (const r of rows)
    console.log(
      `| ${r.mode} | ${r.result} | ${r.seconds.toFixed(2)} | ${r.frames} | ${r.transferBytes} | ${r.methods} |`,
    );
}
