// The gateway side of the update tests: an UpdateEnvironment over the simulated vehicle, its state directory
// (journal + image store), and the targets of an update of some ECUs to new versions.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CanBuses } from '../../../../vehicle-gateway/can/buses.ts';
import { readVersionAndHash } from '../../../../vehicle-gateway/flash/identification.ts';
import { ImageStore } from '../../../../vehicle-gateway/journal/image-store.ts';
import { UpdateJournal } from '../../../../vehicle-gateway/journal/update-journal.ts';
import type { EcuTarget, UpdateRecord } from '../../../../vehicle-gateway/journal/update-record.ts';
import { startUpdate, type UpdateEnvironment } from '../../../../vehicle-gateway/update/run-update.ts';
import { readEcuInventory, type EcuInventory } from '../../../../vehicle-gateway/inventory/read-inventory.ts';
import type { SimHarness } from './sim-vehicle.ts';
import { stageTarget } from './staged-target.ts';

export interface GatewaySide {
  stateDir: string;
  images: ImageStore;
  env(onSaved?: (record: UpdateRecord, write: number) => void): UpdateEnvironment & { close(): Promise<void> };
  /** Keeps the ECUs' current (initial) images, as a provisioned gateway would, and returns the targets. */
  targets(versions: Record<string, string>): EcuTarget[];
  /** Stages the targets of `versions` and runs one update to its end on a fresh environment. */
  update(updateId: string, reference: string, versions: Record<string, string>): Promise<FinishedUpdate>;
  /** What each ECU runs now: name -> sha256. */
  running(): Promise<Record<string, string>>;
  inventory(): Promise<EcuInventory[]>;
}

export interface FinishedUpdate {
  targets: EcuTarget[];
  record: UpdateRecord;
}

export async function gatewaySide(sim: SimHarness): Promise<GatewaySide> {
  const stateDir = await mkdtemp(join(tmpdir(), 'gateway-state-'));
  const images = new ImageStore(join(stateDir, 'images'));
  const side: GatewaySide = {
    stateDir,
    images,
    env(onSaved) {
      const buses = new CanBuses(sim.openTransport);
      return {
        vehicle: sim.gatewayVehicle,
        connect: (ecu) => buses.connect(ecu),
        secret: (name) => sim.secret(name),
        images,
        journal: new UpdateJournal(stateDir, onSaved),
        close: () => buses.closeAll(),
      };
    },
    targets(versions) {
      return Object.entries(versions).map(([name, toVersion]) => {
        const def = sim.definition.ecus.find((e) => e.name === name)!;
        const signed = (version: string) => {
          const { bytes, image } = sim.image(name, version);
          return { version, bytes, signatures: image.regions.map((r) => r.signature) };
        };
        return stageTarget(images, def, signed(def.simulation.softwareVersion), signed(toVersion));
      });
    },
    async update(updateId, reference, versions) {
      const targets = side.targets(versions);
      const env = side.env();
      const record = await startUpdate({ updateId, reference, targets }, env);
      await env.close();
      return { targets, record };
    },
    async inventory() {
      const buses = new CanBuses(sim.openTransport);
      try {
        const rows: EcuInventory[] = [];
        for (const ecu of sim.gatewayVehicle.ecus) {
          const c = await buses.connect(ecu);
          rows.push(await readEcuInventory(ecu, c.link));
          await c.close();
        }
        return rows;
      } finally {
        await buses.closeAll();
      }
    },
    async running() {
      const buses = new CanBuses(sim.openTransport);
      const out: Record<string, string> = {};
      try {
        for (const ecu of sim.gatewayVehicle.ecus) {
          const c = await buses.connect(ecu);
          out[ecu.name] = (await readVersionAndHash(c.link)).sha256;
          await c.close();
        }
      } finally {
        await buses.closeAll();
      }
      return out;
    },
  };
  return side;
}
