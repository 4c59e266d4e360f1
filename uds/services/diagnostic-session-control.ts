// DiagnosticSessionControl (0x10): `10 <session>` -> `50 <session> <P2 ms:2> <P2* 10 ms:2>`.
import { badLength, concat, expectResponse, subFunctionByte, writeUint } from './common.ts';
import { SID } from './sid.ts';

export const DiagnosticSession = { default: 0x01, programming: 0x02, extended: 0x03, safetySystem: 0x04 } as const;

export interface SessionTiming {
  /** P2server_max, ms (1 ms resolution). */
  p2ServerMs: number;
  /** P2*server_max, ms (sent in 10 ms units). */
  p2StarServerMs: number;
}

export interface DiagnosticSessionResponse extends SessionTiming {
  session: number;
}

export function encodeDiagnosticSessionControlRequest(session: number, suppressPositiveResponse = false): Uint8Array {
  return Uint8Array.of(SID.DiagnosticSessionControl, subFunctionByte(session, suppressPositiveResponse));
}

export function decodeDiagnosticSessionControlResponse(bytes: Uint8Array): DiagnosticSessionResponse {
  expectResponse(bytes, SID.DiagnosticSessionControl, 6, 'DiagnosticSessionControl');
  return {
    session: bytes[1] as number,
    p2ServerMs: ((bytes[2] as number) << 8) | (bytes[3] as number),
    p2StarServerMs: (((bytes[4] as number) << 8) | (bytes[5] as number)) * 10,
  };
}

export function decodeDiagnosticSessionControlRequest(bytes: Uint8Array): { session: number } {
  if (bytes.length !== 2) throw badLength('DiagnosticSessionControl');
  return { session: (bytes[1] as number) & 0x7f };
}

export function encodeDiagnosticSessionControlResponse(session: number, timing: SessionTiming): Uint8Array {
  return concat([
    SID.DiagnosticSessionControl + 0x40,
    session,
    ...writeUint(timing.p2ServerMs, 2, 'P2server'),
    ...writeUint(Math.ceil(timing.p2StarServerMs / 10), 2, 'P2*server'),
  ]);
}
