import { describe, expect, it } from 'vitest';
import { MetadataVerificationError } from '../tuf/errors.ts';
import type { RepositoryName, VerificationErrorCode } from '../tuf/errors.ts';
import type { TargetFile } from '../tuf/schemas.ts';
import { asMetadata, NOW, publish, testRepository, testSigner } from '../tuf/test-fixtures.ts';
import type { DirectorEcuTarget } from './custom-fields.ts';
import { buildDirectorTarget, describeBlob, releaseImage, verifyEcuImageSignature } from './targets.ts';
import { verifyUpdate } from './verify-update.ts';
import type { ReportedEcu } from './verify-update.ts';

const VIN = 'WVWZZZ1JZXW000001';
const codeSigner = testSigner('ecu code signing');
const oldImage = new TextEncoder().encode('brake firmware 1.1.0');
const newImage = new TextEncoder().encode('brake firmware 1.2.0, fixed');
const imageRepo = testRepository('image');
const directorRepo = testRepository('director');

const brake120 = releaseImage(
  newImage,
  { hardwareIds: ['BRK-HW-A', 'BRK-HW-B'], version: '1.2.0', releaseId: 'rel-42' },
  codeSigner,
);
const IMAGE_TARGETS: Record<string, TargetFile> = { 'brake-1.2.0.bin': brake120 };
const delta = { ...describeBlob(new Uint8Array(7)), base: describeBlob(oldImage) };
const ECUS: ReportedEcu[] = [
  { serial: 'BRK-0001', hardwareId: 'BRK-HW-A', version: '1.1.0', imageSha256: describeBlob(oldImage).sha256 },
  { serial: 'BRK-0002', hardwareId: 'BRK-HW-B' },
  { serial: 'GW-0001', hardwareId: 'GW-HW' },
];

function directorFor(
  ecus: Record<string, DirectorEcuTarget>,
  overrides: Partial<{ vin: string; name: string; target: TargetFile; campaignId: string }> = {},
) {
  const target = overrides.target ?? brake120;
  return {
    [overrides.name ?? 'brake-1.2.0.bin']: buildDirectorTarget(target, {
      vin: overrides.vin ?? VIN,
      campaignId: overrides.campaignId ?? 'camp-7',
      ecus,
    }),
  };
}

function run(directorTargets: Record<string, TargetFile>, ecus = ECUS, imageTargets = IMAGE_TARGETS) {
  return verifyUpdate({
    vin: VIN,
    ecus,
    now: NOW,
    director: { metadata: asMetadata(publish(directorRepo, directorTargets)), trusted: directorRepo.trusted },
    image: { metadata: asMetadata(publish(imageRepo, imageTargets)), trusted: imageRepo.trusted },
  });
}

function expectError(fn: () => unknown, code: VerificationErrorCode, repository: RepositoryName) {
  expect(fn).toThrow(MetadataVerificationError);
  try {
    fn();
  } catch (error) {
    expect(error).toMatchObject({ code, repository, role: 'targets' });
  }
}

describe('verifyUpdate', () => {
  it('returns each ECU its verified image, delta and release data, and both new trusted states', () => {
    const result = run(
      directorFor({ 'BRK-0001': { hardwareId: 'BRK-HW-A', delta }, 'BRK-0002': { hardwareId: 'BRK-HW-B' } }),
    );
    expect(result.campaignId).toBe('camp-7');
    expect(result.updates).toEqual([
      {
        ecuSerial: 'BRK-0001',
        hardwareId: 'BRK-HW-A',
        targetName: 'brake-1.2.0.bin',
        length: newImage.length,
        sha256: describeBlob(newImage).sha256,
        hashes: { sha256: describeBlob(newImage).sha256 },
        version: '1.2.0',
        releaseId: 'rel-42',
        ecuSignature: brake120.custom!.ecuSignature,
        fromVersion: '1.1.0',
        delta,
      },
      expect.objectContaining({ ecuSerial: 'BRK-0002', hardwareId: 'BRK-HW-B' }),
    ]);
    expect(result.updates[1]).not.toHaveProperty('delta');
    expect(
      verifyEcuImageSignature(
        codeSigner.publicKey.keyval.public,
        result.updates[0]!.sha256,
        result.updates[0]!.ecuSignature,
      ),
    ).toBe(true);
    expect(result.trusted.director.targets?.version).toBe(1);
    expect(result.trusted.image.targets?.version).toBe(1);
  });

  it('returns no updates when the Director lists nothing', () => {
    expect(run({})).toMatchObject({ campaignId: undefined, updates: [] });
  });

  it('allows reinstalling the same release version', () => {
    const ecus = [{ ...ECUS[0]!, version: '1.2.0' }];
    expect(run(directorFor({ 'BRK-0001': { hardwareId: 'BRK-HW-A' } }), ecus).updates).toHaveLength(1);
  });

  it('refuses a Director target the Image repository does not list', () => {
    expectError(
      () => run(directorFor({ 'BRK-0001': { hardwareId: 'BRK-HW-A' } }, { name: 'brake-evil.bin' })),
      'unknown_target',
      'director',
    );
  });

  it('refuses a Director target whose length differs from the released image', () => {
    const target = { ...brake120, length: brake120.length + 1 };
    expectError(
      () => run(directorFor({ 'BRK-0001': { hardwareId: 'BRK-HW-A' } }, { target })),
      'length_mismatch',
      'director',
    );
  });

  it('refuses a Director target whose hashes differ from the released image', () => {
    const target = { ...brake120, hashes: { sha256: describeBlob(oldImage).sha256 } };
    expectError(
      () => run(directorFor({ 'BRK-0001': { hardwareId: 'BRK-HW-A' } }, { target })),
      'hash_mismatch',
      'director',
    );
  });

  it('refuses targets meant for another vehicle', () => {
    expectError(
      () => run(directorFor({ 'BRK-0001': { hardwareId: 'BRK-HW-A' } }, { vin: 'WVWZZZ1JZXW000002' })),
      'wrong_vin',
      'director',
    );
  });

  it('refuses an ECU serial this vehicle does not have', () => {
    expectError(() => run(directorFor({ 'BRK-9999': { hardwareId: 'BRK-HW-A' } })), 'wrong_ecu', 'director');
  });

  it('refuses an ECU named by two targets', () => {
    const second = releaseImage(
      newImage.subarray(1),
      { hardwareIds: ['BRK-HW-A'], version: '1.2.1', releaseId: 'rel-43' },
      codeSigner,
    );
    const director = {
      ...directorFor({ 'BRK-0001': { hardwareId: 'BRK-HW-A' } }),
      ...directorFor({ 'BRK-0001': { hardwareId: 'BRK-HW-A' } }, { name: 'brake-1.2.1.bin', target: second }),
    };
    expectError(() => run(director, ECUS, { ...IMAGE_TARGETS, 'brake-1.2.1.bin': second }), 'wrong_ecu', 'director');
  });

  it('refuses when the Director names another hardware id than the ECU reports', () => {
    expectError(() => run(directorFor({ 'BRK-0001': { hardwareId: 'BRK-HW-B' } })), 'hardware_mismatch', 'director');
  });

  it('refuses an image not released for the hardware id the ECU reports', () => {
    expectError(() => run(directorFor({ 'GW-0001': { hardwareId: 'GW-HW' } })), 'hardware_mismatch', 'image');
  });

  it('refuses a release version older than the one the ECU runs', () => {
    const ecus = [{ ...ECUS[0]!, version: '1.10.0' }];
    expectError(() => run(directorFor({ 'BRK-0001': { hardwareId: 'BRK-HW-A' } }), ecus), 'downgrade', 'director');
  });

  it('refuses a delta built on another image than the ECU runs', () => {
    const wrongBase = { ...delta, base: describeBlob(newImage) };
    expectError(
      () => run(directorFor({ 'BRK-0001': { hardwareId: 'BRK-HW-A', delta: wrongBase } })),
      'delta_base_mismatch',
      'director',
    );
  });

  it('refuses Director targets without the Uptane custom fields', () => {
    expectError(
      () => run({ 'brake-1.2.0.bin': { length: brake120.length, hashes: brake120.hashes } }),
      'malformed',
      'director',
    );
  });

  it('refuses Director targets of two campaigns', () => {
    const second = releaseImage(
      newImage.subarray(1),
      { hardwareIds: ['BRK-HW-B'], version: '1.2.1', releaseId: 'rel-43' },
      codeSigner,
    );
    const director = {
      ...directorFor({ 'BRK-0001': { hardwareId: 'BRK-HW-A' } }),
      ...directorFor(
        { 'BRK-0002': { hardwareId: 'BRK-HW-B' } },
        { name: 'b.bin', target: second, campaignId: 'camp-8' },
      ),
    };
    expectError(() => run(director, ECUS, { ...IMAGE_TARGETS, 'b.bin': second }), 'malformed', 'director');
  });

  it('refuses released images without the Uptane custom fields', () => {
    const bare = { length: brake120.length, hashes: brake120.hashes };
    expectError(
      () => run(directorFor({ 'BRK-0001': { hardwareId: 'BRK-HW-A' } }), ECUS, { 'brake-1.2.0.bin': bare }),
      'malformed',
      'image',
    );
  });

  it('runs the TUF checks on the Director repository too', () => {
    const published = publish(directorRepo, directorFor({ 'BRK-0001': { hardwareId: 'BRK-HW-A' } }), {
      signers: { targets: imageRepo.signers.targets },
    });
    expect(() =>
      verifyUpdate({
        vin: VIN,
        ecus: ECUS,
        now: NOW,
        director: { metadata: asMetadata(published), trusted: directorRepo.trusted },
        image: { metadata: asMetadata(publish(imageRepo, IMAGE_TARGETS)), trusted: imageRepo.trusted },
      }),
    ).toThrow(expect.objectContaining({ code: 'threshold_not_met', repository: 'director', role: 'targets' }));
  });
});
