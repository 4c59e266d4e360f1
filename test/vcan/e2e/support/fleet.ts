// The three test vehicles: each a copy of ecu-sim's small vehicle (16 KiB regions) with its own VIN, ECU
// serials and CAN interface, its gateway's key and configuration, and the images of the scenario (the ones
// the ECUs leave the factory with, and the fixed ones: the same bytes with a new info block and a patched run,
// as a security fix is, so that a delta package is small).
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeInfoBlock } from '../../../../ecu-sim/image/app-info-block.ts';
import { generateImage } from '../../../../ecu-sim/image/generate-image.ts';
import { parseVehicleDefinition } from '../../../../ecu-sim/vehicle/load-vehicle.ts';
import type { VehicleDefinition } from '../../../../ecu-sim/vehicle/schema.ts';
import { gatewayKeyFromHex } from '@ota/protocol';
import { ed25519SignerFromSeed, seedFromLabel } from '@ota/protocol/keys';
import { gatewayDirectoryConfig } from '../../../../vehicle-gateway/connected/config.ts';
import { ImageStore } from '../../../../vehicle-gateway/journal/image-store.ts';
import { LOADED_HOST_TIMING_MARGIN_MS } from '../../../support/loaded-host.ts';
import { REPO_ROOT } from './processes.ts';
import { privateKeyFromHex, sha256, signRegion } from '@ota/uds';

const SMALL_VEHICLE = join(REPO_ROOT, 'ecu-sim', 'vehicles', 'small.json');
export const TEST_SIGNING_KEY_FILE = join(
  REPO_ROOT,
  'ecu-sim',
  'vehicles',
  'keys',
  'TEST-ONLY-oem-code-signing.ed25519.private.hex',
);

export function testSigningKeyHex(): string {
  return readFileSync(TEST_SIGNING_KEY_FILE, 'utf8').trim();
}

/** The TEST code-signing key as the PKCS#8 PEM the backend's KEYS_DIR/code-signing holds. */
export function testSigningKeyPem(): string {
  return privateKeyFromHex(testSigningKeyHex()).export({ format: 'pem', type: 'pkcs8' }).toString();
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export interface TestImage {
  readonly version: string;
  readonly bytes: Uint8Array;
  readonly sha256: string;
}

/** What an ECU leaves the factory with: ecu-sim's deterministic image of its initial version. */
export function factoryImage(hardwareId: string, version: string, size: number): TestImage {
  const bytes = generateImage({ hardwareId, softwareVersion: version, regionIndex: 0, size });
  return { version, bytes, sha256: hex(sha256(bytes)) };
}

/** The fixed image: the factory image with the new version in its info block and one patched run of bytes. */
export function fixedImage(base: TestImage, hardwareId: string, version: string): TestImage {
  const bytes = Uint8Array.from(base.bytes);
  bytes.set(encodeInfoBlock({ hardwareId, softwareVersion: version }), 0);
  const patch = Buffer.from(`security fix ${version}: bounds check added`.padEnd(80, '.'), 'latin1');
  bytes.set(patch, Math.floor(bytes.length / 3));
  return { version, bytes, sha256: hex(sha256(bytes)) };
}

export interface TestVehicle {
  readonly index: number;
  readonly vin: string;
  readonly iface: string;
  readonly definition: VehicleDefinition;
  /** The vehicle file (ecu-sim format; the gateway ignores its `simulation` parts). */
  readonly vehicleFile: string;
  readonly dir: string;
  readonly stateDir: string;
  readonly controlSocket: string;
  readonly gatewayConfig: string;
  /** The gateway's Ed25519 public key, as the fleet API registers it (32 bytes, base64). */
  readonly gatewayPublicKeyBase64: string;
  serial(ecu: string): string;
}

const vinOf = (i: number) => `WVWE2E${String(i).padStart(11, '0')}`;
const serialOf = (ecu: string, i: number) => `${ecu.toUpperCase()}-E2E-${String(i).padStart(4, '0')}`;

/** Vehicle `i` (1-based) on vcan`i`, its files under `dir`. */
export async function createTestVehicle(i: number, dir: string, socketDir: string): Promise<TestVehicle> {
  const json = JSON.parse(readFileSync(SMALL_VEHICLE, 'utf8')) as {
    vin: string;
    ecus: { name: string; can: { interface: string }; identification: { serialNumber: string } }[];
    simulation: { testSigningKeyFile: string };
  };
  const vin = vinOf(i);
  const iface = `vcan${i}`;
  json.vin = vin;
  for (const ecu of json.ecus) {
    ecu.can.interface = iface;
    ecu.identification.serialNumber = serialOf(ecu.name, i);
  }
  json.simulation.testSigningKeyFile = TEST_SIGNING_KEY_FILE;
  const vehicleDir = join(dir, vin);
  await mkdir(vehicleDir, { recursive: true });
  const vehicleFile = join(vehicleDir, 'vehicle.json');
  await writeFile(vehicleFile, JSON.stringify(json, null, 2));
  const definition = parseVehicleDefinition(json, vehicleFile);
  const signer = ed25519SignerFromSeed(seedFromLabel(`e2e gateway key ${vin}`));
  return {
    index: i,
    vin,
    iface,
    definition,
    vehicleFile,
    dir: vehicleDir,
    stateDir: join(vehicleDir, 'ecu-state'),
    controlSocket: join(socketDir, `ecu-sim-${i}.sock`),
    gatewayConfig: join(vehicleDir, 'gateway.json'),
    gatewayPublicKeyBase64: gatewayKeyFromHex(signer.publicKey.keyval.public),
    serial: (ecu) => serialOf(ecu, i),
  };
}

/** ecu-sim's command line for the vehicle's ECUs on its interface, with its state and control socket. */
export function ecuSimArgs(v: TestVehicle): string[] {
  return ['--vehicle', v.vehicleFile, '--state', v.stateDir, '--can', v.iface, '--control', v.controlSocket];
}

/**
 * The gateway's provisioning, as the factory leaves it: configuration, trusted roots, vehicle key, ECU
 * secrets, and copies of the images its ECUs run (the bases of delta packages and single-bank rollbacks).
 */
export async function provisionGateway(
  v: TestVehicle,
  opts: { brokerUrl: string; roots: { image: Uint8Array; director: Uint8Array } },
): Promise<void> {
  await writeFile(join(v.dir, 'image-root.json'), opts.roots.image);
  await writeFile(join(v.dir, 'director-root.json'), opts.roots.director);
  await writeFile(join(v.dir, 'vehicle.key'), hex(seedFromLabel(`e2e gateway key ${v.vin}`)));
  await writeFile(
    join(v.dir, 'secrets.json'),
    JSON.stringify(Object.fromEntries(v.definition.ecus.map((e) => [e.name, e.simulation.securitySecret]))),
  );
  const key = privateKeyFromHex(testSigningKeyHex());
  const store = new ImageStore(join(v.dir, 'gateway-state', 'images'));
  for (const ecu of v.definition.ecus) {
    const image = factoryImage(ecu.identification.hardwareId, ecu.simulation.softwareVersion, regionSize(ecu));
    store.put(image.bytes, {
      version: image.version,
      hardwareId: ecu.identification.hardwareId,
      signatures: [signRegion(key, image.bytes)],
    });
  }
  const config = gatewayDirectoryConfig({
    vin: v.vin,
    brokerUrl: opts.brokerUrl,
    stateDir: 'gateway-state',
    udsTimingMarginMs: LOADED_HOST_TIMING_MARGIN_MS,
  });
  await writeFile(v.gatewayConfig, JSON.stringify(config, null, 2));
}

export function regionSize(ecu: VehicleDefinition['ecus'][number]): number {
  const [region, ...more] = ecu.flash.regions;
  if (!region || more.length > 0) throw new Error(`${ecu.name}: the scenario expects exactly one flash region`);
  return region.size;
}
