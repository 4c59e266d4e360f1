// Identifiers of the reference ECU profile (flash-protocol.md): sessions and sub-functions. Its DIDs and
// routine identifiers are uds's DataIdentifier and RoutineId (shared with the simulator).

export const SESSION = { default: 0x01, programming: 0x02, extended: 0x03 } as const;
export const SECURITY_LEVEL = 0x11;
export const HARD_RESET = 0x01;
export const ALL_DTCS = 0xffffff;

/** CommunicationControl: 0x03 disableRxAndTx, 0x00 enableRxAndTx; communicationType 0x01 normal messages. */
export const COMM = { disableRxAndTx: 0x03, enableRxAndTx: 0x00, normal: 0x01 } as const;
/** ControlDTCSetting: 0x01 on, 0x02 off. */
export const DTC_SETTING = { on: 0x01, off: 0x02 } as const;

/** addressAndLengthFormatIdentifier used throughout: 4-byte address, 4-byte size. */
export const ADDRESS_AND_LENGTH_FORMAT = 0x44;

export function addressAndSize(address: number, size: number): Uint8Array {
  const out = new Uint8Array(9);
  const view = new DataView(out.buffer);
  out[0] = ADDRESS_AND_LENGTH_FORMAT;
  view.setUint32(1, address);
  view.setUint32(5, size);
  return out;
}
