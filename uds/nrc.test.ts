import { describe, expect, it } from 'vitest';
import { NRC, NegativeResponseError, nrcName } from './nrc.ts';
import { computeSecurityKey } from './security-key.ts';

describe('NRC table', () => {
  it('names codes as ISO 14229-1 does, and ranges without a name descriptively', () => {
    expect(nrcName(0x31)).toBe('requestOutOfRange');
    expect(nrcName(0x78)).toBe('requestCorrectlyReceivedResponsePending');
    expect(nrcName(0x7e)).toBe('subFunctionNotSupportedInActiveSession');
    expect(nrcName(0xf3)).toBe('vehicleManufacturerSpecific(0xF3)');
    expect(nrcName(0x01)).toBe('isoSAEReserved(0x01)');
    expect(new Set(Object.values(NRC)).size).toBe(Object.keys(NRC).length);
  });

  it('NegativeResponseError carries the code, its name and a message naming both', () => {
    const err = new NegativeResponseError(0x27, 0x35);
    expect([err.sid, err.nrc, err.nrcName]).toEqual([0x27, 0x35, 'invalidKey']);
    expect(err.message).toBe('service 0x27 answered negatively: invalidKey (0x35)');
  });
});

describe('computeSecurityKey', () => {
  it('is the first 16 bytes of HMAC-SHA256(secret, seed)', () => {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
    const key = computeSecurityKey(
      new TextEncoder().encode('Jefe'),
      new TextEncoder().encode('what do ya want for nothing?'),
    );
    expect(Buffer.from(key).toString('hex')).toBe('5bdcc146bf60754e6a042426089575c7');
    expect(() => computeSecurityKey(new Uint8Array(0), new Uint8Array(16))).toThrow(/secret is empty/);
  });
});
