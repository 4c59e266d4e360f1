// CommunicationControl (0x28): `28 <controlType> <communicationType> [nodeId:2]` -> `68 <controlType>`.
import { badLength, checkByte, expectResponse, readUint, subFunctionByte, writeUint } from './common.ts';
import { SID } from './sid.ts';

export const CommunicationControlType = {
  enableRxAndTx: 0x00,
  enableRxAndDisableTx: 0x01,
  disableRxAndEnableTx: 0x02,
  disableRxAndTx: 0x03,
  enableRxAndDisableTxWithEnhancedAddressInformation: 0x04,
  enableRxAndTxWithEnhancedAddressInformation: 0x05,
} as const;

/** communicationType low bits: 1 normal messages, 2 network management, 3 both. */
export const CommunicationType = { normal: 0x01, networkManagement: 0x02, normalAndNetworkManagement: 0x03 } as const;

const needsNodeId = (controlType: number): boolean => controlType === 0x04 || controlType === 0x05;

export function encodeCommunicationControlRequest(
  controlType: number,
  communicationType: number,
  options: { nodeId?: number; suppressPositiveResponse?: boolean } = {},
): Uint8Array {
  const bytes = [
    SID.CommunicationControl,
    subFunctionByte(controlType, options.suppressPositiveResponse),
    checkByte(communicationType, 'communicationType'),
  ];
  if (needsNodeId(controlType)) bytes.push(...writeUint(options.nodeId ?? 0, 2, 'nodeIdentificationNumber'));
  return Uint8Array.from(bytes);
}

export function decodeCommunicationControlResponse(bytes: Uint8Array): { controlType: number } {
  expectResponse(bytes, SID.CommunicationControl, 2, 'CommunicationControl');
  return { controlType: bytes[1] as number };
}

export function decodeCommunicationControlRequest(bytes: Uint8Array): {
  controlType: number;
  communicationType: number;
  nodeId: number | null;
} {
  const controlType = ((bytes[1] ?? 0) as number) & 0x7f;
  const expected = needsNodeId(controlType) ? 5 : 3;
  if (bytes.length !== expected) throw badLength('CommunicationControl');
  return { controlType, communicationType: bytes[2] as number, nodeId: expected === 5 ? readUint(bytes, 3, 2) : null };
}

export function encodeCommunicationControlResponse(controlType: number): Uint8Array {
  return Uint8Array.of(SID.CommunicationControl + 0x40, controlType);
}
