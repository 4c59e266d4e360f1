// Configuration of one ISO-TP address pair, its defaults and validation, and the standard addressing schemes.
import { FD_DATA_LENGTHS, MAX_EXTENDED_ID, MAX_STANDARD_ID } from '../can/frame.ts';
import { IsoTpConfigError } from './errors.ts';
import { isValidStMin } from './stmin.ts';

export interface IsoTpOptions {
  /** CAN id this endpoint transmits on; null for a receive-only (e.g. server functional) endpoint. */
  txId: number | null;
  /** CAN id this endpoint receives on; null for a transmit-only (e.g. tester functional) endpoint. */
  rxId: number | null;
  /** 29-bit identifiers (normal-fixed addressing uses them). Default false. */
  extended29?: boolean;
  /** Extended addressing: the target-address byte in front of every transmitted / received frame. */
  extendedAddress?: { tx: number; rx: number };
  /** Transmit CAN FD frames. Reception accepts both kinds either way. Default false. */
  fd?: boolean;
  /** TX_DL for CAN FD (12..64). Default 64 with fd, 8 otherwise. */
  txDataLength?: number;
  /** Padding byte for unused bytes, null for no padding (classical CAN only). Default 0xCC. */
  padding?: number | null;
  /** Functional addressing: single frames only, no flow control. Default false. */
  functional?: boolean;
  /** BS this endpoint announces in its flow control (0 = no further FC). Default 0. */
  blockSize?: number;
  /** STmin byte this endpoint announces (0x00-0x7F ms, 0xF1-0xF9 100-900 µs). Default 0. */
  stMin?: number;
  /** FC.WAIT frames this endpoint sends before each FC.CTS (receiver side; for tests / slow ECUs). Default 0. */
  flowControlWaits?: number;
  /** Interval between those FC.WAIT frames, ms. Default 50. */
  flowControlWaitIntervalMs?: number;
  /** N_WFTmax: FC.WAIT frames accepted in a row before the transmission is abandoned. Default 10. */
  maxWaitFrames?: number;
  /** Longest message accepted; a longer first frame gets FC.OVFLW. Default 16 MiB. */
  maxMessageLength?: number;
  /** Timeouts, ms (ISO 15765-2 defaults 1000). */
  nAsMs?: number;
  nBsMs?: number;
  nCrMs?: number;
}

export type ResolvedIsoTpOptions = Required<Omit<IsoTpOptions, 'extendedAddress'>> & {
  extendedAddress: { tx: number; rx: number } | null;
};

function checkByte(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff)
    throw new IsoTpConfigError(`${what} must be a byte, not ${value}`);
}

export function resolveIsoTpOptions(o: IsoTpOptions): ResolvedIsoTpOptions {
  const extended29 = o.extended29 ?? false;
  const maxId = extended29 ? MAX_EXTENDED_ID : MAX_STANDARD_ID;
  for (const [what, id] of [
    ['txId', o.txId],
    ['rxId', o.rxId],
  ] as const) {
    if (id !== null && (!Number.isInteger(id) || id < 0 || id > maxId)) {
      throw new IsoTpConfigError(`${what} ${String(id)} is not a ${extended29 ? '29' : '11'}-bit CAN identifier`);
    }
  }
  if (o.txId === null && o.rxId === null) throw new IsoTpConfigError('an ISO-TP endpoint needs a txId or an rxId');
  const fd = o.fd ?? false;
  const txDataLength = o.txDataLength ?? (fd ? 64 : 8);
  if (!fd && txDataLength !== 8) throw new IsoTpConfigError(`txDataLength ${txDataLength} needs fd: true`);
  if (fd && (txDataLength < 8 || !FD_DATA_LENGTHS.includes(txDataLength))) {
    throw new IsoTpConfigError(`txDataLength ${txDataLength} is not a CAN FD length of 8..64`);
  }
  const padding = o.padding === undefined ? 0xcc : o.padding;
  if (padding !== null) checkByte(padding, 'padding');
  if (o.extendedAddress) {
    checkByte(o.extendedAddress.tx, 'extendedAddress.tx');
    checkByte(o.extendedAddress.rx, 'extendedAddress.rx');
  }
  const blockSize = o.blockSize ?? 0;
  checkByte(blockSize, 'blockSize');
  const stMin = o.stMin ?? 0;
  if (!isValidStMin(stMin))
    throw new IsoTpConfigError(`stMin 0x${stMin.toString(16)} is reserved (0x00-0x7F, 0xF1-0xF9)`);
  const positive = (value: number | undefined, fallback: number, what: string): number => {
    const v = value ?? fallback;
    if (!Number.isFinite(v) || v < 0) throw new IsoTpConfigError(`${what} must be a non-negative number, not ${v}`);
    return v;
  };
  return {
    txId: o.txId,
    rxId: o.rxId,
    extended29,
    extendedAddress: o.extendedAddress ?? null,
    fd,
    txDataLength,
    padding,
    functional: o.functional ?? false,
    blockSize,
    stMin,
    flowControlWaits: positive(o.flowControlWaits, 0, 'flowControlWaits'),
    flowControlWaitIntervalMs: positive(o.flowControlWaitIntervalMs, 50, 'flowControlWaitIntervalMs'),
    maxWaitFrames: positive(o.maxWaitFrames, 10, 'maxWaitFrames'),
    maxMessageLength: positive(o.maxMessageLength, 16 * 1024 * 1024, 'maxMessageLength'),
    nAsMs: positive(o.nAsMs, 1000, 'nAsMs'),
    nBsMs: positive(o.nBsMs, 1000, 'nBsMs'),
    nCrMs: positive(o.nCrMs, 1000, 'nCrMs'),
  };
}

/** OBD-style 11-bit normal addressing (flash-protocol.md): ECU n answers 0x7E8+n to requests on 0x7E0+n. */
export const OBD_FUNCTIONAL_REQUEST_ID = 0x7df;

export function obdPhysicalIds(ecuIndex: number): { txId: number; rxId: number } {
  if (!Number.isInteger(ecuIndex) || ecuIndex < 0 || ecuIndex > 7) {
    throw new IsoTpConfigError(`OBD ECU index must be 0..7, not ${ecuIndex}`);
  }
  return { txId: 0x7e0 + ecuIndex, rxId: 0x7e8 + ecuIndex };
}

/** Normal-fixed addressing (29-bit): physical 0x18DA<TA><SA>, functional 0x18DB<TA><SA>. */
export function normalFixedId(kind: 'physical' | 'functional', targetAddress: number, sourceAddress: number): number {
  checkByte(targetAddress, 'target address');
  checkByte(sourceAddress, 'source address');
  return ((kind === 'physical' ? 0x18da0000 : 0x18db0000) | (targetAddress << 8) | sourceAddress) >>> 0;
}

/** Both directions of a normal-fixed physical pair, seen from `ownAddress` talking to `peerAddress`. */
export function normalFixedPhysicalIds(
  ownAddress: number,
  peerAddress: number,
): { txId: number; rxId: number; extended29: true } {
  return {
    txId: normalFixedId('physical', peerAddress, ownAddress),
    rxId: normalFixedId('physical', ownAddress, peerAddress),
    extended29: true,
  };
}
