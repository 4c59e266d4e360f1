// ClearDiagnosticInformation (0x14): `14 <groupOfDTC:3> [memorySelection]` -> `54`.
import { badLength, expectResponse, readUint, writeUint } from './common.ts';
import { SID } from './sid.ts';

export const ALL_DTC_GROUPS = 0xffffff;

export function encodeClearDiagnosticInformationRequest(
  groupOfDtc = ALL_DTC_GROUPS,
  memorySelection?: number,
): Uint8Array {
  const bytes = [SID.ClearDiagnosticInformation, ...writeUint(groupOfDtc, 3, 'groupOfDTC')];
  if (memorySelection !== undefined) bytes.push(...writeUint(memorySelection, 1, 'memorySelection'));
  return Uint8Array.from(bytes);
}

export function decodeClearDiagnosticInformationResponse(bytes: Uint8Array): void {
  expectResponse(bytes, SID.ClearDiagnosticInformation, 1, 'ClearDiagnosticInformation');
}

export function decodeClearDiagnosticInformationRequest(bytes: Uint8Array): {
  groupOfDtc: number;
  memorySelection: number | null;
} {
  if (bytes.length !== 4 && bytes.length !== 5) throw badLength('ClearDiagnosticInformation');
  return { groupOfDtc: readUint(bytes, 1, 3), memorySelection: bytes.length === 5 ? (bytes[4] as number) : null };
}

export function encodeClearDiagnosticInformationResponse(): Uint8Array {
  return Uint8Array.of(SID.ClearDiagnosticInformation + 0x40);
}
