// startVehicle: provisions (first start) and powers on every ECU of a vehicle definition on CAN transports the
// caller provides (SocketCAN for the CLI, the in-memory bus for tests and the demo), with faults applied.
import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CanTransport } from '@ota/uds';
import { MemoryCanBus, privateKeyFromHex, publicKeyFromHex, publicKeyHexOf } from '@ota/uds';
import { EcuFaults } from './faults/ecu-faults.ts';
import { parseFaultSpec, type ParsedFaultSpec } from './faults/fault-spec.ts';
import { provisionEcuIfAbsent } from './flash/provision.ts';
import { STATE_FILE } from './flash/state-store.ts';
import { VirtualEcu } from './ecu/virtual-ecu.ts';
import { VehicleConditions } from './ecu/vehicle-conditions.ts';
import { loadEcuAuthentication } from './vehicle/load-authentication.ts';
import type { EcuDefinition, VehicleDefinition } from './vehicle/schema.ts';

/** Opens the CAN transport one ECU listens on (each ECU gets its own; it closes it when it stops). */
export type TransportFactory = (iface: string, ecu: EcuDefinition) => Promise<CanTransport> | CanTransport;

export interface StartVehicleOptions {
  definition: VehicleDefinition;
  /** Directory the definition's relative paths (signing key, images) are resolved against. Default cwd. */
  baseDir?: string;
  /** One subdirectory per ECU is created (or reused: a restart continues where the last run stopped). */
  stateDir: string;
  transportFactory: TransportFactory;
  /** Fault specs (`[ECU/]KIND[:ARGS]`), applied after power-on. */
  faults?: readonly string[];
  onError?: (ecu: string, err: Error) => void;
  /** S3server of every ECU; default 5000 ms. */
  s3ServerMs?: number;
}

export interface RunningVehicle {
  readonly definition: VehicleDefinition;
  readonly conditions: VehicleConditions;
  readonly ecus: readonly VirtualEcu[];
  ecu(name: string): VirtualEcu;
  /** Applies a fault spec (validated first: a bad spec changes nothing). */
  applyFault(spec: string | ParsedFaultSpec): void;
  clearFaults(ecu?: string): void;
  /** Powers one ECU off (if it still runs) and on again from its state directory: a power cycle. */
  powerCycle(ecu: string): Promise<VirtualEcu>;
  stop(): Promise<void>;
}

export function ecuStateDir(stateDir: string, ecuName: string): string {
  return join(stateDir, ecuName);
}

function readSigningKey(definition: VehicleDefinition, baseDir: string): string {
  const file = resolve(baseDir, definition.simulation.testSigningKeyFile);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new Error(`cannot read the test signing key ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** What powering one ECU on needs beyond its definition: shared by the first start and every power cycle. */
interface PowerOnContext {
  options: StartVehicleOptions;
  baseDir: string;
  signingKey: KeyObject;
  signingPublicHex: string;
  conditions: VehicleConditions;
}

async function powerOnEcu(c: PowerOnContext, def: EcuDefinition, faults: EcuFaults): Promise<VirtualEcu> {
  const { options, baseDir } = c;
  const dir = ecuStateDir(options.stateDir, def.name);
  if (def.codeSigningPublicKey.toLowerCase() !== c.signingPublicHex && !existsSync(join(dir, STATE_FILE))) {
    throw new Error(`${def.name}: codeSigningPublicKey is not the test signing key's; cannot sign its initial image`);
  }
  provisionEcuIfAbsent(def, dir, baseDir, c.signingKey);
  const authentication = loadEcuAuthentication(def, baseDir);
  const transport = await options.transportFactory(def.can.interface, def);
  try {
    return new VirtualEcu({
      definition: def,
      vin: options.definition.vin,
      stateDir: dir,
      publicKey: publicKeyFromHex(def.codeSigningPublicKey),
      authentication,
      transport,
      conditions: c.conditions,
      faults,
      s3ServerMs: options.s3ServerMs,
      onError: (err) => options.onError?.(def.name, err),
    });
  } catch (err) {
    await transport.close(); // e.g. a corrupt state.json: do not leave the socket open
    throw err;
  }
}

function parseFaults(definition: VehicleDefinition, specs: readonly string[]): ParsedFaultSpec[] {
  const parsed = specs.map((f) => parseFaultSpec(f));
  const names = new Set(definition.ecus.map((e) => e.name));
  for (const f of parsed) {
    if (f.ecu !== null && !names.has(f.ecu)) throw new Error(`fault names unknown ECU "${f.ecu}"`);
  }
  return parsed;
}

/** The running vehicle over its powered-on ECUs (the array is updated in place by a power cycle). */
function runningVehicle(c: PowerOnContext, ecus: VirtualEcu[]): RunningVehicle {
  const { definition } = c.options;
  const vehicle: RunningVehicle = {
    definition,
    conditions: c.conditions,
    ecus,
    ecu(name) {
      const found = ecus.find((e) => e.name === name);
      if (!found) throw new Error(`no ECU "${name}" in this vehicle (${ecus.map((e) => e.name).join(', ')})`);
      return found;
    },
    applyFault(spec) {
      const parsed = typeof spec === 'string' ? parseFaultSpec(spec) : spec;
      const targets = parsed.ecu === null ? ecus : [vehicle.ecu(parsed.ecu)];
      if (parsed.effect.type === 'condition') c.conditions.apply(parsed.effect.change);
      else for (const e of targets) e.faults.add(parsed.effect.fault);
    },
    clearFaults(name) {
      for (const e of name === undefined ? ecus : [vehicle.ecu(name)]) e.faults.clear();
    },
    async powerCycle(name) {
      const old = vehicle.ecu(name);
      await old.stop();
      // Faults that already fired (a power loss) are not repeated; the others stay set.
      const faults = new EcuFaults();
      for (const f of old.faults.list())
        if (f.kind !== 'silentAfterBlocks' && f.kind !== 'silentAfterSectors') faults.add(f);
      const fresh = await powerOnEcu(c, old.definition, faults);
      ecus[ecus.indexOf(old)] = fresh;
      return fresh;
    },
    async stop() {
      await Promise.all(ecus.map((e) => e.stop()));
    },
  };
  return vehicle;
}

export async function startVehicle(options: StartVehicleOptions): Promise<RunningVehicle> {
  const { definition } = options;
  const baseDir = options.baseDir ?? process.cwd();
  const parsedFaults = parseFaults(definition, options.faults ?? []);
  const signingKeyHex = readSigningKey(definition, baseDir);
  const context: PowerOnContext = {
    options,
    baseDir,
    signingKey: privateKeyFromHex(signingKeyHex),
    signingPublicHex: publicKeyHexOf(signingKeyHex),
    conditions: new VehicleConditions(definition.simulation.preconditions),
  };
  const ecus: VirtualEcu[] = [];
  try {
    for (const def of definition.ecus) ecus.push(await powerOnEcu(context, def, new EcuFaults()));
  } catch (err) {
    await Promise.all(ecus.map((e) => e.stop()));
    throw err;
  }
  const vehicle = runningVehicle(context, ecus);
  for (const f of parsedFaults) vehicle.applyFault(f);
  return vehicle;
}

/** A TransportFactory on in-memory buses, one per interface name (created on first use). */
export function memoryBusTransportFactory(buses: Map<string, MemoryCanBus> = new Map()): TransportFactory {
  return (iface, ecu) => {
    let bus = buses.get(iface);
    if (!bus) {
      bus = new MemoryCanBus();
      buses.set(iface, bus);
    }
    return bus.attach(`${iface}/${ecu.name}`);
  };
}
