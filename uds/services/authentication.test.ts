import { describe, expect, it } from 'vitest';
import { NRC, nrcName } from '../nrc.ts';
import { bytes, hex, nrcOf } from './codec-test-helpers.ts';
import * as s from './index.ts';

const cert = bytes('3082 0102');
const challenge = bytes('A1A2A3');

describe('0x29 Authentication codec, byte-exact both ways (ISO 14229-1:2020 §10.6)', () => {
  it('deAuthenticate: 29 00 -> 69 00 10', () => {
    expect(hex(s.encodeAuthenticationRequest({ task: 'deAuthenticate' }))).toBe('2900');
    expect(s.decodeAuthenticationRequest(bytes('2900'))).toEqual({ task: 'deAuthenticate' });
    expect(s.decodeAuthenticationRequest(bytes('2980'))).toEqual({ task: 'deAuthenticate' });
    const response = s.encodeAuthenticationResponse({ task: 'deAuthenticate', returnValue: 0x10 });
    expect(hex(response)).toBe('690010');
    expect(s.decodeAuthenticationResponse(response, 'deAuthenticate')).toEqual({
      task: 'deAuthenticate',
      returnValue: s.AuthenticationReturn.deAuthenticationSuccessful,
    });
    expect(nrcOf(() => s.decodeAuthenticationRequest(bytes('290000')))).toBe(0x13);
  });

  it('verifyCertificateUnidirectional: certificate and optional client challenge, each behind 2 length bytes', () => {
    const request = s.encodeAuthenticationRequest({
      task: 'verifyCertificateUnidirectional',
      communicationConfiguration: 0,
      certificate: cert,
      challenge: new Uint8Array(0),
    });
    expect(hex(request)).toBe('290100' + '000430820102' + '0000');
    expect(s.decodeAuthenticationRequest(request)).toEqual({
      task: 'verifyCertificateUnidirectional',
      communicationConfiguration: 0,
      certificate: cert,
      challenge: new Uint8Array(0),
    });
    const response = s.encodeAuthenticationResponse({
      task: 'verifyCertificateUnidirectional',
      returnValue: s.AuthenticationReturn.certificateVerifiedOwnershipVerificationNecessary,
      challenge,
      ephemeralPublicKey: new Uint8Array(0),
    });
    expect(hex(response)).toBe('690111' + '0003A1A2A3' + '0000');
    expect(s.decodeAuthenticationResponse(response, 'verifyCertificateUnidirectional')).toEqual({
      task: 'verifyCertificateUnidirectional',
      returnValue: 0x11,
      challenge,
      ephemeralPublicKey: new Uint8Array(0),
    });
  });

  it('verifyCertificateBidirectional: the server answers its challenge, certificate and proof', () => {
    const request = s.encodeAuthenticationRequest({
      task: 'verifyCertificateBidirectional',
      communicationConfiguration: 0,
      certificate: cert,
      challenge,
    });
    expect(hex(request)).toBe('290200' + '000430820102' + '0003A1A2A3');
    expect(s.decodeAuthenticationRequest(request)).toMatchObject({ task: 'verifyCertificateBidirectional', challenge });
    const fields = {
      task: 'verifyCertificateBidirectional',
      returnValue: 0x11,
      challenge: bytes('B1B2'),
      certificate: cert,
      proof: bytes('C1'),
      ephemeralPublicKey: new Uint8Array(0),
    } as const;
    const response = s.encodeAuthenticationResponse(fields);
    expect(hex(response)).toBe('690211' + '0002B1B2' + '000430820102' + '0001C1' + '0000');
    expect(s.decodeAuthenticationResponse(response, 'verifyCertificateBidirectional')).toEqual(fields);
    // Bidirectional needs a client challenge (the server signs it).
    expect(nrcOf(() => s.decodeAuthenticationRequest(bytes('290200 000430820102 0000')))).toBe(0x13);
  });

  it('proofOfOwnership: 29 03 <len><proof> <len><ephemeral key> -> 69 03 12 <len><sessionKeyInfo>', () => {
    const request = s.encodeAuthenticationRequest({
      task: 'proofOfOwnership',
      proof: bytes('D1D2'),
      ephemeralPublicKey: new Uint8Array(0),
    });
    expect(hex(request)).toBe('2903' + '0002D1D2' + '0000');
    expect(s.decodeAuthenticationRequest(request)).toEqual({
      task: 'proofOfOwnership',
      proof: bytes('D1D2'),
      ephemeralPublicKey: new Uint8Array(0),
    });
    const response = s.encodeAuthenticationResponse({
      task: 'proofOfOwnership',
      returnValue: s.AuthenticationReturn.ownershipVerifiedAuthenticationComplete,
      sessionKeyInfo: new Uint8Array(0),
    });
    expect(hex(response)).toBe('6903120000');
    expect(s.decodeAuthenticationResponse(response, 'proofOfOwnership')).toEqual({
      task: 'proofOfOwnership',
      returnValue: 0x12,
      sessionKeyInfo: new Uint8Array(0),
    });
  });

  it('authenticationConfiguration: 29 08 -> 69 08 02 (APCE)', () => {
    expect(hex(s.encodeAuthenticationRequest({ task: 'authenticationConfiguration' }))).toBe('2908');
    expect(s.decodeAuthenticationRequest(bytes('2908'))).toEqual({ task: 'authenticationConfiguration' });
    const response = s.encodeAuthenticationResponse({ task: 'authenticationConfiguration', returnValue: 0x02 });
    expect(hex(response)).toBe('690802');
    expect(s.decodeAuthenticationResponse(response, 'authenticationConfiguration').returnValue).toBe(
      s.AuthenticationReturn.authenticationConfigurationApce,
    );
  });

  it('refuses malformed requests with 0x13 and unknown sub-functions with 0x12', () => {
    expect(nrcOf(() => s.decodeAuthenticationRequest(bytes('29')))).toBe(0x13);
    expect(nrcOf(() => s.decodeAuthenticationRequest(bytes('2901')))).toBe(0x13);
    // Announced 5 certificate bytes, 4 present.
    expect(nrcOf(() => s.decodeAuthenticationRequest(bytes('290100 000530820102')))).toBe(0x13);
    // Empty certificate.
    expect(nrcOf(() => s.decodeAuthenticationRequest(bytes('290100 0000 0000')))).toBe(0x13);
    // Trailing byte after the last parameter.
    expect(nrcOf(() => s.decodeAuthenticationRequest(bytes('2903 0001D1 0000 FF')))).toBe(0x13);
    expect(nrcOf(() => s.decodeAuthenticationRequest(bytes('2903 0000 0000')))).toBe(0x13);
    expect(nrcOf(() => s.decodeAuthenticationRequest(bytes('2905')))).toBe(0x12);
  });

  it('refuses malformed responses on the client side', () => {
    expect(() => s.decodeAuthenticationResponse(bytes('690111 0003A1A2'), 'verifyCertificateUnidirectional')).toThrow(
      s.UdsResponseFormatError,
    );
    expect(() => s.decodeAuthenticationResponse(bytes('690312 0000'), 'verifyCertificateUnidirectional')).toThrow(
      /echoes sub-function 0x3/,
    );
    expect(() => s.decodeAuthenticationResponse(bytes('6903120000FF'), 'proofOfOwnership')).toThrow(
      /1 bytes after the last parameter/,
    );
    expect(() =>
      s.encodeAuthenticationRequest({ task: 'proofOfOwnership', proof: new Uint8Array(0), ephemeralPublicKey: cert }),
    ).toThrow(/proofOfOwnershipClient must not be empty/);
  });

  it('names the authentication NRCs 0x50..0x5D as ISO 14229-1:2020 does', () => {
    expect(nrcName(0x50)).toBe('certificateVerificationFailedInvalidTimePeriod');
    expect(nrcName(0x51)).toBe('certificateVerificationFailedInvalidSignature');
    expect(nrcName(0x52)).toBe('certificateVerificationFailedInvalidChainOfTrust');
    expect(nrcName(0x57)).toBe('certificateVerificationFailedInvalidCertificate');
    expect(nrcName(0x58)).toBe('ownershipVerificationFailed');
    expect(nrcName(0x5d)).toBe('deAuthenticationFailed');
    expect(NRC.challengeCalculationFailed).toBe(0x59);
  });
});
