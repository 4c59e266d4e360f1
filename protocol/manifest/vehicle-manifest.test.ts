import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../tuf/canonical-json.ts';
import { testSigner } from '../tuf/test-fixtures.ts';
import {
  checkManifestCounter,
  ManifestVerificationError,
  signManifestNow,
  signVehicleManifest,
  verifyVehicleManifest,
} from './vehicle-manifest.ts';
import type { VehicleManifest } from './vehicle-manifest.ts';

const vehicleKey = testSigner('vehicle WVWZZZ1JZXW000001');
const manifest: VehicleManifest = {
  vin: 'WVWZZZ1JZXW000001',
  counter: 42,
  nonce: '00112233445566778899aabbccddeeff',
  timestamp: '2026-03-01T12:00:00Z',
  ecus: [{ serial: 'BRK-0001', hardwareId: 'BRK-HW-A', version: '1.2.0', imageSha256: 'ab'.repeat(32) }],
  lastUpdate: {
    campaignId: 'camp-7',
    outcome: 'succeeded',
    ecus: [
      {
        ecuSerial: 'BRK-0001',
        fromVersion: '1.1.0',
        toVersion: '1.2.0',
        result: 'succeeded',
        bytesOnBus: 1234,
        durationMs: 5600,
        nrc: undefined,
      },
    ],
  },
};

function expectCode(fn: () => unknown, code: string) {
  expect(fn).toThrow(ManifestVerificationError);
  expect(fn).toThrow(expect.objectContaining({ code }));
}

describe('vehicle manifest', () => {
  it('round-trips through JSON text and exposes the counter', () => {
    const wire = JSON.parse(JSON.stringify(signVehicleManifest(manifest, vehicleKey)));
    const verified = verifyVehicleManifest(wire, vehicleKey.publicKey);
    expect(verified.counter).toBe(42);
    expect(verified.ecus).toEqual(manifest.ecus);
  });

  it('signs a manifest as a vehicle sends it: at the given time, with a fresh nonce each time', () => {
    const { vin, counter, ecus } = manifest;
    const now = new Date('2026-03-01T12:00:00.456Z');
    const first = verifyVehicleManifest(signManifestNow({ vin, counter, ecus }, vehicleKey, now), vehicleKey.publicKey);
    const second = signManifestNow({ vin, counter, ecus }, vehicleKey, now).signed;
    expect(first.timestamp).toBe('2026-03-01T12:00:00Z');
    expect(first.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(second.nonce).not.toBe(first.nonce);
  });

  it('refuses a manifest changed after signing', () => {
    const signed = signVehicleManifest(manifest, vehicleKey);
    const changed = { ...signed, signed: { ...signed.signed, ecus: [{ ...manifest.ecus[0]!, version: '9.9.9' }] } };
    expectCode(() => verifyVehicleManifest(changed, vehicleKey.publicKey), 'bad_signature');
  });

  it('refuses a manifest signed by another vehicle key', () => {
    const signed = signVehicleManifest(manifest, testSigner('another vehicle'));
    expectCode(() => verifyVehicleManifest(signed, vehicleKey.publicKey), 'bad_signature');
  });

  it('refuses an unsigned manifest', () => {
    expectCode(() => verifyVehicleManifest({ signatures: [], signed: manifest }, vehicleKey.publicKey), 'malformed');
  });

  it('refuses a signed manifest whose content is malformed, naming the field', () => {
    const { lastUpdate: _omitted, ...rest } = manifest;
    const bad = { ...rest, vin: 'IOQ' };
    const message = canonicalBytes(bad);
    const envelope = { signatures: [{ keyid: vehicleKey.keyId, sig: vehicleKey.sign(message) }], signed: bad };
    expect(() => verifyVehicleManifest(envelope, vehicleKey.publicKey)).toThrow(
      /malformed: vin: expected a 17-character VIN/,
    );
    expect(() => signVehicleManifest({ ...manifest, ecus: [...manifest.ecus, ...manifest.ecus] }, vehicleKey)).toThrow(
      'duplicate ECU serial',
    );
  });

  it('refuses a failed ECU result with neither NRC nor error text', () => {
    const failed = { ...manifest.lastUpdate!.ecus[0]!, result: 'failed' as const };
    expect(() =>
      signVehicleManifest({ ...manifest, lastUpdate: { ...manifest.lastUpdate!, ecus: [failed] } }, vehicleKey),
    ).toThrow('nrc or an error');
  });

  it('lets the caller refuse a counter that did not advance', () => {
    expect(() => checkManifestCounter(manifest, 41)).not.toThrow();
    expect(() => checkManifestCounter(manifest, undefined)).not.toThrow();
    expectCode(() => checkManifestCounter(manifest, 42), 'stale_counter');
  });
});
