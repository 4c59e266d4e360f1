// The demo's composition root: it starts the three programs in one process (backend with the dashboard,
// delivery and the in-process broker; per vehicle an ecu-sim vehicle and a vehicle-gateway), which the
// programs themselves never do: they meet only on a wire. This file may import all of them; nothing imports it
// but scripts/start.ts.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { banner } from './banner.ts';
import { ensureDemoKeys } from './backend-keys.ts';
import { chooseCan, type CanMode } from './can-choice.ts';
import { openDemoDatabase, startDemoBackend, type DemoBackend, type DemoDatabase } from './demo-backend.ts';
import { demoVin, loadTemplate, type TemplateName } from './fleet-definitions.ts';
import { testSigningSeedHex } from './images.ts';
import { demoLayout } from './layout.ts';
import { seedDemo } from './seed.ts';
import { startSimulatedVehicle, type SimulatedVehicle } from './simulated-vehicle.ts';
import { isAlive } from '../../backend/db/data-dir-lock.ts';

export interface DemoOptions {
  dataDir: string;
  reset: boolean;
  vehicles: number;
  host: string;
  port: number;
  mqttPort: number;
  can: CanMode;
  template: TemplateName;
  log: (line: string) => void;
}

export interface RunningDemo {
  readonly backend: DemoBackend;
  readonly vehicles: readonly SimulatedVehicle[];
  /** Stops gateways, simulators, HTTP, delivery and broker, then closes the database. */
  stop(): Promise<void>;
}

/** --reset: removes the data directory, unless a running demo holds its database. */
export function resetDataDir(dataDir: string): void {
  const layout = demoLayout(dataDir);
  if (!existsSync(layout.root)) return;
  const lock = join(layout.backend, 'pglite.lock');
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new Error(`a demo (process ${pid}) is running on ${layout.root}; stop it before --reset`);
    }
  }
  if (!existsSync(layout.seedRecord) && !existsSync(layout.backend)) {
    throw new Error(`${layout.root} does not look like a demo data directory; not deleting it`);
  }
  rmSync(layout.root, { recursive: true, force: true });
}

export async function startDemo(o: DemoOptions): Promise<RunningDemo> {
  if (o.reset) resetDataDir(o.dataDir);
  const layout = demoLayout(o.dataDir);
  const template = loadTemplate(o.template);
  const can = await chooseCan(
    o.can,
    o.vehicles,
    template.definition.ecus.some((e) => e.can.fd),
  );
  await ensureDemoKeys(layout.keys, testSigningSeedHex(template));
  const database: DemoDatabase = await openDemoDatabase(layout.backend);
  let backend: DemoBackend | null = null;
  const vehicles: SimulatedVehicle[] = [];
  const stop = async () => {
    await Promise.all(vehicles.map((v) => v.stop()));
    await backend?.stop();
    await database.db.destroy();
  };
  try {
    const seeded = await seedDemo({
      db: database.db,
      blobDir: database.blobDir,
      layout,
      template,
      vehicles: o.vehicles,
    });
    backend = await startDemoBackend({
      database,
      dataDir: layout.backend,
      host: o.host,
      port: o.port,
      mqttPort: o.mqttPort,
    });
    for (let i = 0; i < o.vehicles; i++) {
      vehicles.push(
        await startSimulatedVehicle({
          index: i,
          template,
          layout: (vin) => layout.vehicle(vin),
          can,
          brokerUrl: backend.brokerUrl,
          roots: (vin) => backend!.roots(vin),
          log: o.log,
        }),
      );
    }
    const first = template.definition.ecus[0];
    o.log(
      banner({
        url: backend.url,
        portTaken: backend.portTaken,
        dataDir: layout.root,
        database: database.describe,
        brokerUrl: backend.brokerUrl,
        can: can.describe,
        vins: Array.from({ length: o.vehicles }, (_, i) => demoVin(i)),
        ecus: template.definition.ecus.map((e) => e.name),
        flashKiB: first ? first.flash.regions.reduce((n, r) => n + r.size, 0) / 1024 : 0,
        releases: seeded.releases,
        vulnerabilityId: seeded.vulnerabilityId,
        users: seeded.users,
        freshSeed: seeded.freshSeed,
      }),
    );
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return { backend, vehicles, stop };
}
