// Engineer mode against a simulated ECU that authenticates by certificate (0x29): the flash command's
// --tester-cert/--tester-key/--ecu-ca, and what it says when they are missing or wrong.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatFlashOutcome, runFlashCommand } from '../../../vehicle-gateway/cli/flash-command.ts';
import { writeKeyPair } from '../../../backend/keys/uds-certificates.ts';
import { createUdsPki } from '../../support/uds-pki.ts';
import { smallVehicle, startSimVehicle, type SimHarness } from './support/sim-vehicle.ts';

let sim: SimHarness | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
});

async function certificateBcm() {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-cli-auth-'));
  const pki = await createUdsPki(join(dir, 'pki'), ['bcm']);
  const definition = smallVehicle();
  const bcm = definition.ecus.find((e) => e.name === 'bcm')!;
  bcm.access = 'certificate';
  bcm.simulation.authentication = {
    ...pki.ecuFiles('bcm'),
    programmingRoles: ['programming'],
    testerRoles: ['programming', 'diagnostics'],
  };
  sim = await startSimVehicle({ definition });
  const vehicle = join(dir, 'vehicle.json');
  await writeFile(vehicle, JSON.stringify(definition));
  const { bytes, image } = sim.image('bcm', '1.9.0');
  const imageFile = join(dir, 'bcm.bin');
  await writeFile(imageFile, bytes);
  const signature = join(dir, 'bcm.sig');
  await writeFile(signature, Buffer.from(image.regions[0]!.signature).toString('hex'));
  const tester = await writeKeyPair(join(dir, 'gateway'), 'gateway-1', pki.tester);
  const expired = await writeKeyPair(join(dir, 'gateway'), 'gateway-old', pki.expired);
  const base = { vehicle, ecu: 'bcm', image: imageFile, signature };
  return { base, tester, expired, ca: join(dir, 'pki', 'uds-ca.crt') };
}

describe('gateway flash command with 0x29 Authentication', () => {
  it('flashes a certificate ECU bidirectionally with --tester-cert, --tester-key and --ecu-ca', async () => {
    const f = await certificateBcm();
    const outcome = await runFlashCommand(
      { ...f.base, testerCert: f.tester.certFile, testerKey: f.tester.keyFile, ecuCa: f.ca },
      sim!.openTransport,
    );
    expect(outcome).toMatchObject({ status: 'succeeded', toVersion: '1.9.0' });
  });

  it('names the missing certificate, and the NRC of an expired one', async () => {
    const f = await certificateBcm();
    const none = await runFlashCommand(f.base, sim!.openTransport);
    expect(formatFlashOutcome(none)).toContain('the gateway has no tester certificate');
    const old = await runFlashCommand(
      { ...f.base, testerCert: f.expired.certFile, testerKey: f.expired.keyFile },
      sim!.openTransport,
    );
    expect(formatFlashOutcome(old)).toContain(
      'FAILED at authentication with certificateVerificationFailedInvalidTimePeriod (0x50)',
    );
    await expect(runFlashCommand({ ...f.base, testerCert: f.tester.certFile }, sim!.openTransport)).rejects.toThrow(
      '--tester-cert and --tester-key go together',
    );
  });
});
