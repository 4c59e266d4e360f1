// One single-bank ECU (the example's ecm, 4 KiB sectors, 10 ms erase per sector, declaring "delta-in-place") on
// the 500 kbit/s timed in-memory bus, its region sized to the corpus pair: full reflash vs. in-place delta update
// in the same run. The in-place patch comes from the gateway's cache, encoded beforehand as prepare-update does;
// the ECU rebuilds the image inside its one bank at RequestTransferExit (exit column: staging each segment in
// its scratch record, erasing and programming it).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadVehicleFile } from '../../ecu-sim/vehicle/load-vehicle.ts';
import type { VehicleDefinition } from '../../ecu-sim/vehicle/schema.ts';
import { signRegion } from '@ota/uds';
import { encode } from '@ota/delta';
import { IN_PLACE_METHOD } from '../../vehicle-gateway/flash/in-place-plan.ts';
import { EcuDeltaCache } from '../../vehicle-gateway/journal/ecu-delta-cache.ts';
import { inPlaceCache } from '../../vehicle-gateway/journal/in-place-cache.ts';
import {
  EXAMPLE,
  pairImages,
  PAIRS,
  printRows,
  runVariant,
  type Capabilities,
  type Row,
  type Variant,
} from './one-ecu.ts';

const ECU = 'ecm';
/** Single bank: F1A2 inPlaceDelta follows from the declared "delta-in-place" method; no dual-bank bits. */
const IN_PLACE: Capabilities = { name: 'inPlaceDelta', eraseOnWrite: false, backgroundErase: false };
const VARIANTS: Variant[] = [
  { name: 'full reflash', mode: 'full', ecu: IN_PLACE },
  { name: 'in-place delta', mode: 'compressed', ecu: IN_PLACE },
];

function ecuDefinition(loaded: VehicleDefinition, size: number, oldFile: string): VehicleDefinition {
  const ecm = loaded.ecus.find((e) => e.name === ECU)!;
  const methods = [...ecm.flash.compressionMethods, { id: 3, name: IN_PLACE_METHOD }];
  return {
    ...loaded,
    ecus: [
      {
        ...ecm,
        flash: {
          ...ecm.flash,
          compressionMethods: methods,
          regions: ecm.flash.regions.slice(0, 1).map((r) => ({ ...r, size })),
        },
        simulation: { ...ecm.simulation, initialImages: [oldFile] },
      },
    ],
    simulation: {
      ...loaded.simulation,
      testSigningKeyFile: resolve(dirname(EXAMPLE), loaded.simulation.testSigningKeyFile),
    },
  };
}

async function benchPair(pair: string, loaded: VehicleDefinition, dir: string): Promise<Row[]> {
  const { size, old, next, key } = pairImages(pair, loaded, ECU);
  const oldFile = join(dir, `${pair}.ecm.old.bin`);
  await writeFile(oldFile, old);
  const definition = ecuDefinition(loaded, size, oldFile);
  const cache = inPlaceCache(join(dir, 'ecu-deltas'), definition.ecus[0]!.flash);
  const t0 = performance.now();
  const patch = cache.get(old, next);
  const encodeSeconds = (performance.now() - t0) / 1000;
  const dual = encode(old, next, { quality: 9 }).length;
  console.log(
    `${pair}: in-place patch ${patch.length} bytes (${(patch.length / dual).toFixed(2)}x the dual-bank delta's ${dual}), encoded once at prepare time in ${encodeSeconds.toFixed(2)} s (cached; not in the times below)`,
  );
  const images = { old, next, signature: signRegion(key, next) };
  const rows: Row[] = [];
  for (const variant of VARIANTS) {
    const run = await runVariant(definition, images, variant, new EcuDeltaCache(join(dir, 'unused')), {
      inPlaceEncoder: cache.encoder(),
    });
    rows.push({ pair, variant, ...run });
  }
  return rows;
}

export async function inPlaceBench(): Promise<void> {
  const loaded = loadVehicleFile(EXAMPLE).definition;
  const dir = await mkdtemp(join(tmpdir(), 'bench-in-place-'));
  console.log('\none single-bank ECU (ecm), in-memory bus timed as 500 kbit/s classical CAN: in-place delta update\n');
  const rows: Row[] = [];
  try {
    for (const pair of PAIRS) rows.push(...(await benchPair(pair, loaded, dir)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  printRows(rows);
}
