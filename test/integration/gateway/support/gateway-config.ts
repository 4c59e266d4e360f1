// Writes a connected-mode configuration for the simulated vehicle: provisioned roots, vehicle key, secrets.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519SignerFromSeed, seedFromLabel } from '@ota/protocol/keys';
import { loadGatewayConfig, type GatewayConfig } from '../../../../vehicle-gateway/connected/config.ts';
import type { Campaign } from './campaign-repos.ts';
import type { SimHarness } from './sim-vehicle.ts';

export const VEHICLE_KEY_SEED = seedFromLabel('test vehicle key');
export const vehicleSigner = () => ed25519SignerFromSeed(VEHICLE_KEY_SEED);

export async function writeGatewayConfig(
  sim: SimHarness,
  campaign: Campaign,
  brokerUrl: string,
  extra: Record<string, unknown> = {},
): Promise<{ file: string; config: GatewayConfig }> {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-config-'));
  await writeFile(join(dir, 'image-root.json'), campaign.roots.image);
  await writeFile(join(dir, 'director-root.json'), campaign.roots.director);
  await writeFile(join(dir, 'vehicle.key'), Buffer.from(VEHICLE_KEY_SEED).toString('hex'));
  await writeFile(join(dir, 'vehicle.json'), JSON.stringify(sim.definition));
  await writeFile(
    join(dir, 'secrets.json'),
    JSON.stringify(Object.fromEntries(sim.definition.ecus.map((e) => [e.name, e.simulation.securitySecret]))),
  );
  const file = join(dir, 'gateway.json');
  await writeFile(
    file,
    JSON.stringify({
      vin: sim.definition.vin,
      // Unique per test: a real broker keeps persistent sessions (and their queued messages) per client id.
      broker: { url: brokerUrl, clientId: `${sim.definition.vin}-${Math.random().toString(36).slice(2, 10)}` },
      trustedRoots: { image: 'image-root.json', director: 'director-root.json' },
      vehicleKeyFile: 'vehicle.key',
      stateDir: 'state',
      vehicleFile: 'vehicle.json',
      secretsFile: 'secrets.json',
      chunkSize: 4096,
      ...extra,
    }),
  );
  return { file, config: await loadGatewayConfig(file) };
}
