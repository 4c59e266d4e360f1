// The simulator's 0x29 Authentication state machine on the in-memory bus: an ECU configured for certificates only.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  authenticateTester,
  checkCertificate,
  DiagnosticSession,
  encodeMemoryRange,
  newChallenge,
  PROGRAMMING_SECURITY_LEVEL,
  proveOwnership,
  RoutineId,
  type UdsClient,
  verifyOwnership,
} from '@ota/uds';
import {
  createUdsPki,
  credentialOf,
  derOf,
  withTamperedSignature,
  type UdsKeyPair,
  type UdsPki,
} from '../../test/support/uds-pki.ts';
import { nrcOf, startHarness, type Harness } from '../testing/harness.ts';
import { testVehicle } from '../testing/test-vehicle.ts';

let pki: UdsPki;
let harness: Harness;

beforeAll(async () => {
  pki = await createUdsPki(mkdtempSync(join(tmpdir(), 'uds-pki-')), ['ecm']);
});
afterEach(async () => {
  await harness.close();
});

async function certificateEcm(s3ServerMs?: number): Promise<UdsClient> {
  const definition = testVehicle();
  const ecm = definition.ecus[0]!;
  ecm.access = 'certificate';
  ecm.simulation.authentication = {
    ...pki.ecuFiles('ecm'),
    programmingRoles: ['programming'],
    testerRoles: ['programming', 'diagnostics'],
  };
  harness = await startHarness({ definition, ...(s3ServerMs ? { s3ServerMs } : {}) });
  const { client } = harness.tester('ecm');
  await client.diagnosticSessionControl(DiagnosticSession.programming);
  return client;
}

const securityLevel = (): number => harness.vehicle.ecu('ecm').status().securityLevel;
const erase = (client: UdsClient): Promise<unknown> => {
  const region = harness.vehicle.ecu('ecm').definition.flash.regions[0]!;
  return client.startRoutine(RoutineId.eraseMemory, encodeMemoryRange(region.address, region.size));
};

function presentUnidirectional(client: UdsClient, certificate: Uint8Array) {
  return client.authentication({
    task: 'verifyCertificateUnidirectional',
    communicationConfiguration: 0,
    certificate,
    challenge: new Uint8Array(0),
  });
}

async function authenticate(client: UdsClient, pair: UdsKeyPair): Promise<void> {
  const { challenge } = await presentUnidirectional(client, derOf(pair));
  const proof = proveOwnership(createPrivateKey(pair.privateKeyPem), challenge);
  const answer = await client.authentication({
    task: 'proofOfOwnership',
    proof,
    ephemeralPublicKey: new Uint8Array(0),
  });
  expect(answer.returnValue).toBe(0x12);
}

describe('0x29 on an ECU configured for certificates instead of SecurityAccess', () => {
  it('offers APCE, no SecurityAccess, and refuses programming until authenticated', async () => {
    const client = await certificateEcm();
    expect((await client.authentication({ task: 'authenticationConfiguration' })).returnValue).toBe(0x02);
    expect(await nrcOf(client.requestSeed(0x11))).toBe(0x11);
    expect(await nrcOf(erase(client))).toBe(0x33);
  });

  it('unidirectional: certificate, challenge, proof -> authenticated with the programming level', async () => {
    const client = await certificateEcm();
    const verified = await presentUnidirectional(client, derOf(pki.tester));
    expect(verified.returnValue).toBe(0x11);
    expect(verified.challenge).toHaveLength(32);
    expect(securityLevel()).toBe(0);
    const proof = proveOwnership(createPrivateKey(pki.tester.privateKeyPem), verified.challenge);
    const answer = await client.authentication({
      task: 'proofOfOwnership',
      proof,
      ephemeralPublicKey: new Uint8Array(0),
    });
    expect(answer).toEqual({ task: 'proofOfOwnership', returnValue: 0x12, sessionKeyInfo: new Uint8Array(0) });
    expect(securityLevel()).toBe(PROGRAMMING_SECURITY_LEVEL);
    expect(await erase(client)).toEqual(Uint8Array.of(0x00));
  });

  it("bidirectional: the ECU presents its certificate and signs the tester's challenge", async () => {
    const client = await certificateEcm();
    const ours = newChallenge();
    const r = await client.authentication({
      task: 'verifyCertificateBidirectional',
      communicationConfiguration: 0,
      certificate: derOf(pki.tester),
      challenge: ours,
    });
    const anchor = new X509Certificate(pki.ca.certificatePem);
    const ecuCert = checkCertificate(r.certificate, anchor, { roles: ['ecu'] });
    expect(ecuCert.ok && ecuCert.certificate.commonName).toBe('ecm');
    expect(ecuCert.ok && verifyOwnership(ecuCert.certificate.publicKey, ours, r.proof)).toBe(true);
    expect(ecuCert.ok && verifyOwnership(ecuCert.certificate.publicKey, newChallenge(), r.proof)).toBe(false);
    // The gateway's whole exchange, bidirectional, ends authenticated.
    await authenticateTester((req) => client.authentication(req), credentialOf(pki.tester, pki.ca));
    expect(securityLevel()).toBe(PROGRAMMING_SECURITY_LEVEL);
  });

  it("answers the standard's NRCs for bad certificates", async () => {
    const client = await certificateEcm();
    expect(await nrcOf(presentUnidirectional(client, derOf(pki.expired)))).toBe(0x50);
    expect(await nrcOf(presentUnidirectional(client, withTamperedSignature(pki.tester)))).toBe(0x51);
    expect(await nrcOf(presentUnidirectional(client, derOf(pki.foreign)))).toBe(0x52);
    expect(await nrcOf(presentUnidirectional(client, derOf(pki.ca)))).toBe(0x53);
    expect(await nrcOf(presentUnidirectional(client, Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00)))).toBe(0x54);
    expect(await nrcOf(presentUnidirectional(client, derOf(pki.ecus.get('ecm')!)))).toBe(0x56);
    expect(securityLevel()).toBe(0);
  });

  it('refuses a wrong proof (0x58), a second proof for the same challenge (0x24) and a replayed proof (0x58)', async () => {
    const client = await certificateEcm();
    const key = createPrivateKey(pki.tester.privateKeyPem);
    const proofOf = (proof: Uint8Array) =>
      client.authentication({ task: 'proofOfOwnership', proof, ephemeralPublicKey: new Uint8Array(0) });
    expect(await nrcOf(proofOf(proveOwnership(key, newChallenge())))).toBe(0x24); // no challenge yet

    const first = await presentUnidirectional(client, derOf(pki.tester));
    // Signed by a key that is not the certificate's.
    const otherKey = createPrivateKey(pki.diagnostics.privateKeyPem);
    expect(await nrcOf(proofOf(proveOwnership(otherKey, first.challenge)))).toBe(0x58);
    // The challenge was spent by the wrong proof: the right one now comes too late.
    const good = proveOwnership(key, first.challenge);
    expect(await nrcOf(proofOf(good))).toBe(0x24);

    const second = await presentUnidirectional(client, derOf(pki.tester));
    expect(second.challenge).not.toEqual(first.challenge);
    expect(await nrcOf(proofOf(good))).toBe(0x58); // replayed over a fresh challenge
    expect(securityLevel()).toBe(0);
  });

  it('a role that may not program authenticates but cannot erase', async () => {
    const client = await certificateEcm();
    await authenticate(client, pki.diagnostics);
    expect(await nrcOf(erase(client))).toBe(0x33);
  });

  it('authentication ends with deAuthenticate, a session change, S3 expiry and a reset', async () => {
    const client = await certificateEcm(300);
    await authenticate(client, pki.tester);
    expect(await client.authentication({ task: 'deAuthenticate' })).toEqual({
      task: 'deAuthenticate',
      returnValue: 0x10,
    });
    expect(securityLevel()).toBe(0);

    await authenticate(client, pki.tester);
    await client.diagnosticSessionControl(DiagnosticSession.extended);
    await client.diagnosticSessionControl(DiagnosticSession.programming);
    expect(securityLevel()).toBe(0);
    expect(await nrcOf(erase(client))).toBe(0x33);

    await authenticate(client, pki.tester);
    await client.ecuReset(0x01);
    expect(securityLevel()).toBe(0);
    expect(harness.vehicle.ecu('ecm').authentication?.state.kind).toBe('unauthenticated');

    await client.diagnosticSessionControl(DiagnosticSession.programming);
    await authenticate(client, pki.tester);
    await expect
      .poll(() => harness.vehicle.ecu('ecm').status().session, { timeout: 5000 })
      .toBe(DiagnosticSession.default);
    expect(securityLevel()).toBe(0);
    expect(harness.vehicle.ecu('ecm').authentication?.state.kind).toBe('unauthenticated');
  });
});
