// node --import tsx ecu-sim/make-image.ts --vehicle FILE --ecu NAME --version V --out FILE [--sign]
// Writes a deterministic application image for one ECU of a vehicle definition (its regions back to back, each
// region full size, an info block with the version and hardware id at the start of the first), and with --sign
// FILE.sig: the Ed25519 signature(s) of each region (hex, one line per region) made with the TEST key.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { generateImage } from './image/generate-image.ts';
import { loadVehicleFile } from './vehicle/load-vehicle.ts';
import { privateKeyFromHex, signRegion } from '@ota/uds';

const program = new Command()
  .name('make-image')
  .description('write a deterministic, optionally TEST-signed application image for one simulated ECU')
  .requiredOption('--vehicle <file>', 'vehicle definition (JSON)')
  .requiredOption('--ecu <name>', 'ECU name in the vehicle file')
  .requiredOption('--version <version>', 'software version written into the info block (F189 after flashing)')
  .requiredOption('--out <file>', 'image file to write')
  .option('--sign', "also write <out>.sig, signed with the vehicle file's TEST signing key")
  .action((o: { vehicle: string; ecu: string; version: string; out: string; sign?: boolean }) => {
    const { definition, baseDir } = loadVehicleFile(o.vehicle);
    const ecu = definition.ecus.find((e) => e.name === o.ecu);
    if (!ecu) throw new Error(`no ECU "${o.ecu}" in ${o.vehicle} (${definition.ecus.map((e) => e.name).join(', ')})`);
    const regions = ecu.flash.regions.map((r, regionIndex) =>
      generateImage({
        hardwareId: ecu.identification.hardwareId,
        softwareVersion: o.version,
        regionIndex,
        size: r.size,
      }),
    );
    writeFileSync(o.out, Buffer.concat(regions));
    console.log(`${o.out}: ${ecu.name} ${o.version}, ${regions.length} region(s)`);
    if (o.sign) {
      const key = privateKeyFromHex(readFileSync(resolve(baseDir, definition.simulation.testSigningKeyFile), 'utf8'));
      const lines = regions.map((r) => Buffer.from(signRegion(key, r)).toString('hex'));
      writeFileSync(`${o.out}.sig`, `${lines.join('\n')}\n`);
      console.log(`${o.out}.sig: signed with the TEST key`);
    }
  });

try {
  program.parse();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
