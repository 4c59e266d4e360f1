// Authentication (0x29), ISO 14229-1:2020 §10.6, the PKI certificate exchange (APCE) sub-functions. Every
// variable-length parameter travels as a 2-byte big-endian length followed by that many bytes:
//   29 00                                                         -> 69 00 <ret>
//   29 01 <cc> <len><certClient> <len><challengeClient?>          -> 69 01 <ret> <len><challengeServer> <len><ephemeralKeyServer?>
//   29 02 <cc> <len><certClient> <len><challengeClient>           -> 69 02 <ret> <len><challengeServer> <len><certServer>
//                                                                      <len><proofServer> <len><ephemeralKeyServer?>
//   29 03 <len><proofClient> <len><ephemeralKeyClient?>           -> 69 03 <ret> <len><sessionKeyInfo?>
//   29 08                                                         -> 69 08 <ret>
// (<cc> communicationConfiguration, <ret> authenticationReturnParameter, `?` may be empty.)
import { NRC, NegativeResponse } from '../nrc.ts';
import { UdsResponseFormatError, badLength, concat, expectResponse, readUint, writeUint } from './common.ts';
import { SID } from './sid.ts';

export const AuthenticationTask = {
  deAuthenticate: 0x00,
  verifyCertificateUnidirectional: 0x01,
  verifyCertificateBidirectional: 0x02,
  proofOfOwnership: 0x03,
  authenticationConfiguration: 0x08,
} as const;
export type AuthenticationTaskName = keyof typeof AuthenticationTask;

/** authenticationReturnParameter (ISO 14229-1:2020 table 85). */
export const AuthenticationReturn = {
  requestAccepted: 0x00,
  generalReject: 0x01,
  authenticationConfigurationApce: 0x02,
  authenticationConfigurationAcrAsymmetric: 0x03,
  authenticationConfigurationAcrSymmetric: 0x04,
  deAuthenticationSuccessful: 0x10,
  certificateVerifiedOwnershipVerificationNecessary: 0x11,
  ownershipVerifiedAuthenticationComplete: 0x12,
  certificateVerified: 0x13,
} as const;

/** communicationConfiguration 0x00: no secure communication (no session key) follows the authentication. */
export const NO_SECURE_COMMUNICATION = 0x00;

interface CertificateExchange {
  communicationConfiguration: number;
  certificate: Uint8Array;
  challenge: Uint8Array;
}

export type AuthenticationRequest =
  | { task: 'deAuthenticate' }
  | ({ task: 'verifyCertificateUnidirectional' } & CertificateExchange)
  | ({ task: 'verifyCertificateBidirectional' } & CertificateExchange)
  | { task: 'proofOfOwnership'; proof: Uint8Array; ephemeralPublicKey: Uint8Array }
  | { task: 'authenticationConfiguration' };

export type AuthenticationResponse =
  | { task: 'deAuthenticate'; returnValue: number }
  | {
      task: 'verifyCertificateUnidirectional';
      returnValue: number;
      challenge: Uint8Array;
      ephemeralPublicKey: Uint8Array;
    }
  | {
      task: 'verifyCertificateBidirectional';
      returnValue: number;
      challenge: Uint8Array;
      certificate: Uint8Array;
      proof: Uint8Array;
      ephemeralPublicKey: Uint8Array;
    }
  | { task: 'proofOfOwnership'; returnValue: number; sessionKeyInfo: Uint8Array }
  | { task: 'authenticationConfiguration'; returnValue: number };

const TASK_NAMES = new Map<number, AuthenticationTaskName>(
  Object.entries(AuthenticationTask).map(([name, code]) => [code, name as AuthenticationTaskName]),
);

/** `<length:2> <bytes>`; `required` refuses an empty parameter (the standard's non-nullable ones). */
function field(bytes: Uint8Array, what: string, required: boolean): number[] {
  if (bytes.length > 0xffff) throw new RangeError(`${what} of ${bytes.length} bytes does not fit a 2-byte length`);
  if (required && bytes.length === 0) throw new RangeError(`${what} must not be empty`);
  return [...writeUint(bytes.length, 2, what), ...bytes];
}

/** Reads length-prefixed parameters in order; `fail` makes the error right for the side decoding. */
class FieldReader {
  private offset: number;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly fail: (what: string) => Error,
  ) {
    this.offset = start;
  }

  next(what: string, required: boolean): Uint8Array {
    if (this.offset + 2 > this.bytes.length) throw this.fail(`${what}: length missing`);
    const length = readUint(this.bytes, this.offset, 2);
    const start = this.offset + 2;
    if (start + length > this.bytes.length) throw this.fail(`${what}: ${length} bytes announced, fewer present`);
    if (required && length === 0) throw this.fail(`${what}: empty`);
    this.offset = start + length;
    return this.bytes.slice(start, this.offset);
  }

  end(): void {
    if (this.offset !== this.bytes.length)
      throw this.fail(`${this.bytes.length - this.offset} bytes after the last parameter`);
  }
}

export function encodeAuthenticationRequest(request: AuthenticationRequest): Uint8Array {
  const head = [SID.Authentication, AuthenticationTask[request.task]];
  switch (request.task) {
    case 'deAuthenticate':
    case 'authenticationConfiguration':
      return Uint8Array.from(head);
    case 'verifyCertificateUnidirectional':
    case 'verifyCertificateBidirectional':
      return Uint8Array.from([
        ...head,
        request.communicationConfiguration & 0xff,
        ...field(request.certificate, 'certificateClient', true),
        ...field(request.challenge, 'challengeClient', request.task === 'verifyCertificateBidirectional'),
      ]);
    case 'proofOfOwnership':
      return Uint8Array.from([
        ...head,
        ...field(request.proof, 'proofOfOwnershipClient', true),
        ...field(request.ephemeralPublicKey, 'ephemeralPublicKeyClient', false),
      ]);
  }
}

/** Server side: NRC 0x12 for a sub-function this codec does not know, 0x13 for a malformed request. */
export function decodeAuthenticationRequest(bytes: Uint8Array): AuthenticationRequest {
  if (bytes.length < 2) throw badLength('Authentication');
  const task = TASK_NAMES.get((bytes[1] as number) & 0x7f);
  if (!task) throw new NegativeResponse(NRC.subFunctionNotSupported);
  const reader = new FieldReader(bytes, 3, (what) => badLength(`Authentication ${task} ${what}`));
  switch (task) {
    case 'deAuthenticate':
    case 'authenticationConfiguration':
      if (bytes.length !== 2) throw badLength(`Authentication ${task}`);
      return { task };
    case 'verifyCertificateUnidirectional':
    case 'verifyCertificateBidirectional': {
      if (bytes.length < 3) throw badLength(`Authentication ${task}`);
      const certificate = reader.next('certificateClient', true);
      const challenge = reader.next('challengeClient', task === 'verifyCertificateBidirectional');
      reader.end();
      return { task, communicationConfiguration: bytes[2] as number, certificate, challenge };
    }
    case 'proofOfOwnership': {
      const proofReader = new FieldReader(bytes, 2, (what) => badLength(`Authentication ${task} ${what}`));
      const proof = proofReader.next('proofOfOwnershipClient', true);
      const ephemeralPublicKey = proofReader.next('ephemeralPublicKeyClient', false);
      proofReader.end();
      return { task, proof, ephemeralPublicKey };
    }
  }
}

export function encodeAuthenticationResponse(response: AuthenticationResponse): Uint8Array {
  const head = [SID.Authentication + 0x40, AuthenticationTask[response.task], response.returnValue & 0xff];
  switch (response.task) {
    case 'deAuthenticate':
    case 'authenticationConfiguration':
      return Uint8Array.from(head);
    case 'verifyCertificateUnidirectional':
      return Uint8Array.from([
        ...head,
        ...field(response.challenge, 'challengeServer', true),
        ...field(response.ephemeralPublicKey, 'ephemeralPublicKeyServer', false),
      ]);
    case 'verifyCertificateBidirectional':
      return Uint8Array.from([
        ...head,
        ...field(response.challenge, 'challengeServer', true),
        ...field(response.certificate, 'certificateServer', true),
        ...field(response.proof, 'proofOfOwnershipServer', true),
        ...field(response.ephemeralPublicKey, 'ephemeralPublicKeyServer', false),
      ]);
    case 'proofOfOwnership':
      return concat(head, Uint8Array.from(field(response.sessionKeyInfo, 'sessionKeyInfo', false)));
  }
}

/** Client side: the response to `task`, or UdsResponseFormatError. */
export function decodeAuthenticationResponse<T extends AuthenticationTaskName>(
  bytes: Uint8Array,
  task: T,
): Extract<AuthenticationResponse, { task: T }> {
  const what = `Authentication ${task}`;
  expectResponse(bytes, SID.Authentication, 3, what);
  if (bytes[1] !== AuthenticationTask[task]) {
    throw new UdsResponseFormatError(`${what}: response echoes sub-function 0x${(bytes[1] ?? 0).toString(16)}`);
  }
  const returnValue = bytes[2] as number;
  const reader = new FieldReader(bytes, 3, (detail) => new UdsResponseFormatError(`${what}: ${detail}`));
  let response: AuthenticationResponse;
  switch (task as AuthenticationTaskName) {
    case 'deAuthenticate':
      response = { task: 'deAuthenticate', returnValue };
      break;
    case 'authenticationConfiguration':
      response = { task: 'authenticationConfiguration', returnValue };
      break;
    case 'verifyCertificateUnidirectional':
      response = {
        task: 'verifyCertificateUnidirectional',
        returnValue,
        challenge: reader.next('challengeServer', true),
        ephemeralPublicKey: reader.next('ephemeralPublicKeyServer', false),
      };
      break;
    case 'verifyCertificateBidirectional':
      response = {
        task: 'verifyCertificateBidirectional',
        returnValue,
        challenge: reader.next('challengeServer', true),
        certificate: reader.next('certificateServer', true),
        proof: reader.next('proofOfOwnershipServer', true),
        ephemeralPublicKey: reader.next('ephemeralPublicKeyServer', false),
      };
      break;
    case 'proofOfOwnership':
      response = { task: 'proofOfOwnership', returnValue, sessionKeyInfo: reader.next('sessionKeyInfo', false) };
      break;
  }
  reader.end();
  return response as Extract<AuthenticationResponse, { task: T }>;
}
