// The backend-to-gateway flow through the public API only, as the two programs use it.
import { describe, expect, it } from 'vitest';
import {
  buildDirectorTarget,
  decodeMessage,
  describeBlob,
  ed25519SignerFromSeed,
  encodeMessage,
  fromRepositoryFiles,
  publishRepository,
  publishRoot,
  releaseImage,
  seedFromLabel,
  toRepositoryFiles,
  trustRoot,
  verifyUpdate,
} from './index.ts';
import type { Signer } from './index.ts';

const key = (label: string) => ed25519SignerFromSeed(seedFromLabel(label));
const expires = new Date('2027-01-01T00:00:00Z');
const now = new Date('2026-03-01T00:00:00Z');

function repository(name: string) {
  const k = {
    root: key(`${name} root`),
    targets: key(`${name} targets`),
    snapshot: key(`${name} snapshot`),
    timestamp: key(`${name} timestamp`),
  };
  const one = (s: Signer) => ({ keys: [s.publicKey], threshold: 1 });
  const root = publishRoot({
    version: 1,
    expires,
    roles: { root: one(k.root), targets: one(k.targets), snapshot: one(k.snapshot), timestamp: one(k.timestamp) },
    signers: [k.root],
  });
  const publish = (targets: Parameters<typeof publishRepository>[0]['targets']['targets']) =>
    publishRepository({
      targets: { version: 1, expires, signers: [k.targets], targets },
      snapshot: { version: 1, expires, signers: [k.snapshot] },
      timestamp: { version: 1, expires, signers: [k.timestamp] },
    });
  return { root, publish };
}

describe('protocol public API', () => {
  it('backend builds and signs both repositories; the gateway verifies them from a metadata response', () => {
    const VIN = 'WVWZZZ1JZXW000001';
    const image = repository('image');
    const director = repository('director');
    const oldFw = new TextEncoder().encode('old');
    const newFw = new TextEncoder().encode('new firmware');

    // Backend: release the image, then direct this vehicle's ECU to it.
    const released = releaseImage(
      newFw,
      { hardwareIds: ['HW-A'], version: '2.0.0', releaseId: 'r1' },
      key('code signing'),
    );
    const imageFiles = image.publish({ 'fw-2.0.0.bin': released });
    const delta = { ...describeBlob(new Uint8Array(5)), base: describeBlob(oldFw) };
    const directed = buildDirectorTarget(released, {
      vin: VIN,
      campaignId: 'c1',
      ecus: { 'ECU-1': { hardwareId: 'HW-A', delta } },
    });
    const directorFiles = director.publish({ 'fw-2.0.0.bin': directed });
    const wire = encodeMessage('metadata/response', {
      requestId: 'req-00000001',
      status: 'ok',
      campaignId: 'c1',
      image: toRepositoryFiles(imageFiles),
      director: toRepositoryFiles(directorFiles),
    });

    // Gateway: provisioned roots, a decoded response, what its ECUs report.
    const response = decodeMessage('metadata/response', wire);
    if (response.status !== 'ok') throw new Error('expected metadata');
    const verified = verifyUpdate({
      vin: VIN,
      ecus: [{ serial: 'ECU-1', hardwareId: 'HW-A', version: '1.0.0', imageSha256: describeBlob(oldFw).sha256 }],
      director: { metadata: fromRepositoryFiles(response.director), trusted: trustRoot('director', director.root) },
      image: { metadata: fromRepositoryFiles(response.image), trusted: trustRoot('image', image.root) },
      now,
    });
    expect(verified.updates).toMatchObject([
      { ecuSerial: 'ECU-1', version: '2.0.0', sha256: describeBlob(newFw).sha256, delta },
    ]);
    expect(verified.trusted.image.targets?.version).toBe(1);
  });
});
