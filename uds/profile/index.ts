// The reference ECU profile (shared/design/flash-protocol.md): what the gateway and the simulator agree on
// beyond the ISO services: identifiers, the memory-range record, code signing.
export {
  BankCode,
  BootloaderCapability,
  DataIdentifier,
  PreconditionReason,
  PROGRAMMING_SECURITY_LEVEL,
  RoutineId,
} from './identifiers.ts';
export { ADDRESS_AND_LENGTH_FORMAT, decodeMemoryRange, encodeMemoryRange, type MemoryRange } from './memory-range.ts';
export {
  KeyFormatError,
  SIGNATURE_LENGTH,
  privateKeyFromHex,
  publicKeyFromHex,
  publicKeyHexOf,
  sha256,
  signRegion,
  verifyDigest,
  verifyRegion,
} from './code-signing.ts';
