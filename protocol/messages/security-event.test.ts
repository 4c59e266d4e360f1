import { describe, expect, it } from 'vitest';
import { testSigner } from '../tuf/test-fixtures.ts';
import { decodeMessage, encodeMessage } from './codec.ts';
import { MessageDecodeError } from './errors.ts';
import {
  attackOf,
  SecurityEventError,
  signSecurityEvent,
  verifySecurityEvent,
  type SecurityEvent,
} from './security-event.ts';
import { parseVehicleTopic } from './topics.ts';

const VIN = 'WVWZZZ1JZXW000001';
const key = testSigner(`vehicle ${VIN}`);
const forged: SecurityEvent = {
  vin: VIN,
  counter: 7,
  at: '2026-12-04T22:00:00Z',
  type: 'metadata_verification_failure',
  severity: 'high',
  details: 'director targets: bad_signature: no valid signature',
  campaignId: '12',
  attack: 'bad_signature',
  code: 'bad_signature',
  repository: 'director',
};

function expectCode(fn: () => unknown, code: string) {
  expect(fn).toThrow(SecurityEventError);
  expect(fn).toThrow(expect.objectContaining({ code }));
}

describe('security event', () => {
  it('round-trips signed through the security-event topic and verifies with the vehicle key', () => {
    const signed = signSecurityEvent(forged, key);
    const wire = decodeMessage(
      'security-event',
      encodeMessage('security-event', { signatures: [...signed.signatures], signed: signed.signed }),
    );
    expect(verifySecurityEvent(wire, key.publicKey)).toEqual(forged);
    expect(parseVehicleTopic(`ota/v1/vehicles/${VIN}/security-event`)).toEqual({ vin: VIN, kind: 'security-event' });
  });

  it('refuses an event changed after signing, or signed by another vehicle', () => {
    const signed = signSecurityEvent(forged, key);
    expectCode(
      () => verifySecurityEvent({ ...signed, signed: { ...signed.signed, severity: 'low' } }, key.publicKey),
      'bad_signature',
    );
    expectCode(
      () => verifySecurityEvent(signSecurityEvent(forged, testSigner('other')), key.publicKey),
      'bad_signature',
    );
    expectCode(() => verifySecurityEvent({ signatures: [], signed: forged }, key.publicKey), 'malformed');
  });

  it('names the field of an event that does not fit its type', () => {
    expectCode(
      () => signSecurityEvent({ ...forged, attack: 'teleport' } as unknown as SecurityEvent, key),
      'malformed',
    );
    expect(() =>
      signSecurityEvent(
        {
          vin: VIN,
          counter: 1,
          at: '2026-12-04T22:00:00Z',
          severity: 'high',
          details: '',
          type: 'can_unknown_id',
          bus: 'vcan0',
        } as unknown as SecurityEvent,
        key,
      ),
    ).toThrow(/canId/);
    expect(() =>
      signSecurityEvent(
        { ...forged, type: 'events_dropped', dropped: 0, since: forged.at } as unknown as SecurityEvent,
        key,
      ),
    ).toThrow(/dropped/);
  });

  it('maps each metadata verification code to the attack it defeats', () => {
    expect(attackOf('expired')).toBe('freeze');
    expect(attackOf('rollback')).toBe('rollback');
    expect(attackOf('version_mismatch')).toBe('mix_and_match');
    expect(attackOf('wrong_vin')).toBe('wrong_vin');
    expect(attackOf('threshold_not_met')).toBe('bad_signature');
  });

  it('confirms a stored security event by its counter', () => {
    const stored = decodeMessage(
      'stored',
      encodeMessage('stored', { kind: 'security-event', counter: 7, status: 'stored' }),
    );
    expect(stored).toEqual({ kind: 'security-event', counter: 7, status: 'stored' });
    expect(() =>
      decodeMessage('stored', new TextEncoder().encode('{"kind":"security-event","status":"stored"}')),
    ).toThrow(MessageDecodeError);
  });
});
