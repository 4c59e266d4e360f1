// 0x29 Authentication over real SocketCAN (vcan0): the simulator's ecm (single-bank) and bcm (dual-bank) trust the
// backend's UDS CA instead of a SecurityAccess secret; the gateway flashes them with its tester certificate,
// unidirectionally and bidirectionally, and the bad certificates and proofs get ISO 14229-1:2020's NRCs.
import { createPrivateKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newChallenge, openSocketCan, privateKeyFromHex, proveOwnership, signRegion, type UdsClient } from '@ota/uds';
import { generateImage } from '../../../ecu-sim/image/generate-image.ts';
import { testSigningKeyHex, testVehicle, VEHICLES_DIR } from '../../../ecu-sim/testing/test-vehicle.ts';
import { nrcOf } from '../../../ecu-sim/testing/harness.ts';
import { startVehicle, type RunningVehicle } from '../../../ecu-sim/vehicle-runner.ts';
import type { EcuDefinition } from '../../../ecu-sim/vehicle/schema.ts';
import { CanBuses } from '../../../vehicle-gateway/can/buses.ts';
import { flashEcu } from '../../../vehicle-gateway/flash/flash-ecu.ts';
import type { TesterCredential } from '@ota/uds';
import { LOADED_HOST_TIMING_MARGIN_MS } from '../../support/loaded-host.ts';
import { createUdsPki, credentialOf, derOf, withTamperedSignature, type UdsPki } from '../../support/uds-pki.ts';

let dir: string;
let pki: UdsPki;
let vehicle: RunningVehicle;
let buses: CanBuses;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'uds-auth-vcan-'));
  pki = await createUdsPki(join(dir, 'pki'), ['ecm', 'bcm']);
  const definition = testVehicle({ regionSize: 16 * 1024, sectorSize: 1024, iface: 'vcan0' });
  for (const ecu of definition.ecus.filter((e) => e.name !== 'adas')) {
    ecu.access = 'certificate';
    ecu.simulation.authentication = {
      ...pki.ecuFiles(ecu.name),
      programmingRoles: ['programming'],
      testerRoles: ['programming', 'diagnostics'],
    };
  }
  vehicle = await startVehicle({
    definition,
    baseDir: VEHICLES_DIR,
    stateDir: join(dir, 'ecus'),
    transportFactory: (iface) => openSocketCan(iface),
  });
  buses = new CanBuses((iface) => openSocketCan(iface), null, { timingMarginMs: LOADED_HOST_TIMING_MARGIN_MS });
});

afterAll(async () => {
  await buses?.closeAll();
  await vehicle?.stop();
  await rm(dir, { recursive: true, force: true });
});

function job(def: EcuDefinition, version: string, tester: TesterCredential) {
  const region = def.flash.regions[0]!;
  const data = generateImage({
    hardwareId: def.identification.hardwareId,
    softwareVersion: version,
    regionIndex: 0,
    size: region.size,
  });
  return {
    ecu: def,
    image: {
      regions: [{ address: region.address, data, signature: signRegion(privateKeyFromHex(testSigningKeyHex()), data) }],
    },
    expected: { serialNumber: def.identification.serialNumber, hardwareId: def.identification.hardwareId, version },
    secret: new Uint8Array(16), // not used: these ECUs do not offer SecurityAccess
    tester,
    fingerprint: new Uint8Array(Buffer.from('GATEWAY/2026-12-04/UDS-AUTH')),
    mode: 'full' as const,
    confirmDualBank: true,
  };
}

async function flash(name: string, version: string, tester: TesterCredential) {
  const def = vehicle.ecu(name).definition;
  const connection = await buses.connect(def);
  try {
    const steps: string[] = [];
    const outcome = await flashEcu(job(def, version, tester), connection.link, connection.functional, {
      beforeStep: (step) => void steps.push(step),
    });
    return { outcome, steps };
  } finally {
    await connection.close();
  }
}

describe('0x29 Authentication over SocketCAN', () => {
  it('the gateway flashes the single-bank ecm with a unidirectional exchange', async () => {
    const { outcome, steps } = await flash('ecm', '2.5.0', credentialOf(pki.tester));
    expect(outcome).toMatchObject({ status: 'succeeded', toVersion: '2.5.0' });
    expect(steps).toContain('authentication');
    expect(steps).not.toContain('securityAccess');
  });

  it('the gateway flashes the dual-bank bcm bidirectionally (the ECU proves its certificate) and confirms the bank', async () => {
    const { outcome, steps } = await flash('bcm', '1.8.0', credentialOf(pki.tester, pki.ca));
    expect(outcome).toMatchObject({ status: 'succeeded', toVersion: '1.8.0' });
    expect(steps).toContain('authentication');
    expect(steps).toContain('confirmBank');
    // confirmActiveBank (0205) authenticated again, in the extended session, and ran.
    expect(vehicle.ecu('bcm').status().unconfirmedBoots).toBeNull();
  });

  it('an expired tester certificate fails the flash at authentication with 0x50, before any memory is touched', async () => {
    const { outcome } = await flash('ecm', '2.6.0', credentialOf(pki.expired));
    expect(outcome).toMatchObject({
      status: 'failed',
      step: 'authentication',
      nrc: 0x50,
      nrcName: 'certificateVerificationFailedInvalidTimePeriod',
      memoryTouched: false,
    });
  });

  it('a bidirectional flash refuses an ECU whose certificate is not from the trusted CA', async () => {
    const { outcome } = await flash('bcm', '1.9.0', credentialOf(pki.tester, pki.otherCa));
    expect(outcome).toMatchObject({ status: 'failed', step: 'authentication', memoryTouched: false });
    expect(outcome.status === 'failed' && outcome.error).toMatch(/the ECU's certificate is refused: issued by/);
  });

  it("wrong CA, bad signature, bad proof and a replayed challenge get the standard's NRCs", async () => {
    const def = vehicle.ecu('ecm').definition;
    const connection = await buses.connect(def);
    const client: UdsClient = connection.client;
    try {
      await client.diagnosticSessionControl(0x02);
      const present = (certificate: Uint8Array) =>
        client.authentication({
          task: 'verifyCertificateUnidirectional',
          communicationConfiguration: 0,
          certificate,
          challenge: new Uint8Array(0),
        });
      const prove = (proof: Uint8Array) =>
        client.authentication({ task: 'proofOfOwnership', proof, ephemeralPublicKey: new Uint8Array(0) });
      expect(await nrcOf(present(derOf(pki.foreign)))).toBe(0x52);
      expect(await nrcOf(present(withTamperedSignature(pki.tester)))).toBe(0x51);
      expect(await nrcOf(present(derOf(pki.expired)))).toBe(0x50);

      const key = createPrivateKey(pki.tester.privateKeyPem);
      const { challenge } = await present(derOf(pki.tester));
      expect(await nrcOf(prove(proveOwnership(key, newChallenge())))).toBe(0x58); // not over the ECU's challenge
      const good = proveOwnership(key, challenge);
      expect(await nrcOf(prove(good))).toBe(0x24); // that challenge is spent
      await present(derOf(pki.tester));
      expect(await nrcOf(prove(good))).toBe(0x58); // replayed over the next challenge
      expect(vehicle.ecu('ecm').status().securityLevel).toBe(0);
      expect(await nrcOf(client.requestSeed(0x11))).toBe(0x11); // no SecurityAccess to fall back on
    } finally {
      await connection.close();
    }
  });
});
