// Where the demo keeps its state under the data directory (default .data/demo/, gitignored). Everything a
// restart needs lives here: the backend's database, blobs and keys, each simulated vehicle's ECU state and
// gateway journal, and the demo's own record of what it seeded (the users' API tokens).
import { join, resolve } from 'node:path';

export interface DemoLayout {
  readonly root: string;
  /** The backend's DATA_DIR: PGlite in `pglite/`, blobs in `blobs/`, signing keys in `keys/`. */
  readonly backend: string;
  readonly keys: string;
  /** What the seed created (ids, API tokens): `demo.json`. */
  readonly seedRecord: string;
  vehicle(vin: string): VehicleLayout;
}

export interface VehicleLayout {
  readonly root: string;
  /** ecu-sim's state: one directory per ECU (flash banks, state.json). */
  readonly ecus: string;
  /** The gateway's files: config, vehicle file, secrets, key, trusted roots, and its stateDir. */
  readonly gateway: string;
  readonly gatewayState: string;
  /** The gateway's Ed25519 key (32-byte seed, hex); created once, registered in the backend. */
  readonly gatewayKey: string;
}

export function demoLayout(dataDir: string): DemoLayout {
  const root = resolve(dataDir);
  const backend = join(root, 'backend');
  return {
    root,
    backend,
    keys: join(backend, 'keys'),
    seedRecord: join(root, 'demo.json'),
    vehicle(vin) {
      const dir = join(root, 'vehicles', vin);
      const gateway = join(dir, 'gateway');
      return {
        root: dir,
        ecus: join(dir, 'ecus'),
        gateway,
        gatewayState: join(gateway, 'state'),
        gatewayKey: join(gateway, 'vehicle.key'),
      };
    },
  };
}
