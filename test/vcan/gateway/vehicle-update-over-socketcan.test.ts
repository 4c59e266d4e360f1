// One full vehicle update over real SocketCAN (vcan0, inside user-mode Linux when the host kernel has no CAN):
// the gateway updates ecu-sim's small vehicle (16 KiB regions; single-bank ecm, dual-bank bcm and adas, adas on
// CAN FD) and then reads the inventory the engineer CLI prints.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSocketCan, privateKeyFromHex, signRegion } from '@ota/uds';
import { startVehicle } from '../../../ecu-sim/vehicle-runner.ts';
import { loadVehicleFile } from '../../../ecu-sim/vehicle/load-vehicle.ts';
import { generateImage } from '../../../ecu-sim/image/generate-image.ts';
import { encodeInfoBlock } from '../../../ecu-sim/image/app-info-block.ts';
import { CanBuses } from '../../../vehicle-gateway/can/buses.ts';
import { runInventoryCommand } from '../../../vehicle-gateway/cli/inventory-command.ts';
import { ImageStore } from '../../../vehicle-gateway/journal/image-store.ts';
import { UpdateJournal } from '../../../vehicle-gateway/journal/update-journal.ts';
import { startUpdate } from '../../../vehicle-gateway/update/run-update.ts';
import { parseVehicleDefinition } from '../../../vehicle-gateway/vehicle/load.ts';
import { LOADED_HOST_TIMING_MARGIN_MS } from '../../support/loaded-host.ts';
import { stageTarget } from '../../integration/gateway/support/staged-target.ts';

const VEHICLE_FILE = resolve(import.meta.dirname, '../../../ecu-sim/vehicles/small.json');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('vehicle gateway over SocketCAN', () => {
  it('updates all ECUs of the small vehicle and the inventory shows the new versions', async () => {
    const { definition, baseDir: vehicleDir } = loadVehicleFile(VEHICLE_FILE);
    const dir = await mkdtemp(join(tmpdir(), 'gateway-vcan-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const vehicle = await startVehicle({
      definition,
      baseDir: vehicleDir,
      stateDir: join(dir, 'ecus'),
      transportFactory: (iface) => openSocketCan(iface),
    });
    cleanups.push(() => vehicle.stop());
    const key = privateKeyFromHex(
      readFileSync(resolve(vehicleDir, definition.simulation.testSigningKeyFile), 'utf8').trim(),
    );
    const images = new ImageStore(join(dir, 'gateway', 'images'));
    const targets = definition.ecus.map((e) => {
      const size = e.flash.regions[0]!.size;
      const from = generateImage({
        hardwareId: e.identification.hardwareId,
        softwareVersion: e.simulation.softwareVersion,
        regionIndex: 0,
        size,
      });
      const toVersion = `${e.simulation.softwareVersion}-p1`;
      const to = Uint8Array.from(from);
      to.set(encodeInfoBlock({ hardwareId: e.identification.hardwareId, softwareVersion: toVersion }), 0);
      to.fill(0x5a, size / 2, size / 2 + 100);
      return stageTarget(
        images,
        e,
        { version: e.simulation.softwareVersion, bytes: from, signatures: [signRegion(key, from)] },
        { version: toVersion, bytes: to, signatures: [signRegion(key, to)] },
      );
    });
    const buses = new CanBuses((iface) => openSocketCan(iface), null, { timingMarginMs: LOADED_HOST_TIMING_MARGIN_MS });
    cleanups.push(() => buses.closeAll());
    const record = await startUpdate(
      { updateId: 'vcan-1', reference: 'vcan-campaign', targets },
      {
        vehicle: parseVehicleDefinition(JSON.parse(readFileSync(VEHICLE_FILE, 'utf8')), VEHICLE_FILE),
        connect: (ecu) => buses.connect(ecu),
        secret: (name) => Buffer.from(definition.ecus.find((e) => e.name === name)!.simulation.securitySecret, 'hex'),
        images,
        journal: new UpdateJournal(join(dir, 'gateway')),
      },
    );
    expect(record.report?.result).toBe('succeeded');
    const rows = await runInventoryCommand(
      { vehicle: VEHICLE_FILE, timingMarginMs: LOADED_HOST_TIMING_MARGIN_MS },
      (iface) => openSocketCan(iface),
    );
    expect(
      rows.map((r) => (r.status === 'complete' ? [r.ecu, r.softwareVersion, r.sha256] : [r.ecu, r.status])),
    ).toEqual(targets.map((t) => [t.ecu, t.toVersion, t.toSha256]));
  });
});
