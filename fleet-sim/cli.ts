/**
 * npm run fleet-sim -- --vehicles N [--fail-rate X] [--mqtt URL] [--backend URL]
 *
 * N simulated gateways (MQTT only, no CAN) in this process. VINs are PREFIX + a counter; each
 * vehicle's key is derived from its VIN (simVehicleKey), so `--keys-out FILE` writes the public
 * keys a backend needs to register them. The trusted roots come from files or from the backend's
 * /tuf/ routes.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { addFlags } from '../runtime/cli-flags.ts';
import { stopOnSignals } from '../runtime/shutdown.ts';
import { FLEET_SIM_FLAGS } from './cli-flags.ts';

const program = addFlags(
  new Command('fleet-sim').description('simulated vehicle gateways at the MQTT level'),
  FLEET_SIM_FLAGS,
);

program.action(
  async (o: {
    vehicles: number;
    failRate: number;
    mqtt: string;
    backend: string;
    imageRoot?: string;
    directorRoot?: string;
    vinPrefix: string;
    hardwareId: string;
    ecuVersion: string;
    imageSha256: string;
    keysOut?: string;
  }) => {
    // Loaded when the command runs, so `--help` answers without loading MQTT and the verifier.
    const { gatewayKeyFromHex, trustRoot } = await import('@ota/protocol');
    const { simVehicleKey, startFleet } = await import('./fleet.ts');
    const { fleetVins } = await import('./vins.ts');
    const vins = fleetVins(o.vinPrefix, o.vehicles);
    if (o.keysOut) {
      await writeFile(
        o.keysOut,
        JSON.stringify(
          vins.map((vin) => ({ vin, publicKey: gatewayKeyFromHex(simVehicleKey(vin).publicKey.keyval.public) })),
          null,
          1,
        ),
      );
      console.log(`wrote ${vins.length} gateway public keys to ${o.keysOut}`);
      return;
    }
    const root = async (file: string | undefined, path: string) => {
      if (file) return readFile(file);
      const response = await fetch(new URL(path, o.backend));
      if (!response.ok) throw new Error(`GET ${new URL(path, o.backend).href}: ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    };
    const trusted = {
      image: trustRoot('image', await root(o.imageRoot, '/tuf/image/1.root.json')),
      director: trustRoot('director', await root(o.directorRoot, `/tuf/director/${vins[0]}/1.root.json`)),
    };
    const fleet = await startFleet({
      url: o.mqtt,
      vehicles: vins.map((vin) => ({
        vin,
        ecus: [{ serial: 'ECU-1', hardwareId: o.hardwareId, version: o.ecuVersion, imageSha256: o.imageSha256 }],
      })),
      trusted,
      failRate: o.failRate,
    });
    console.log(`fleet-sim: ${vins.length} gateways connected to ${o.mqtt}; Ctrl-C to stop`);
    const summary = () => {
      const count = (type: string) => fleet.events.filter((e) => e.type === type).length;
      console.log(
        `fleet-sim: ${count('succeeded')} succeeded, ${count('failed')} failed, ${count('rejected_metadata')} refused metadata, ${count('error')} errors`,
      );
    };
    const timer = setInterval(summary, 5000);
    stopOnSignals(async () => {
      clearInterval(timer);
      summary();
      await fleet.stop();
    });
  },
);

await program.parseAsync().catch((error: unknown) => {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
});
