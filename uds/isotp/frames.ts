// Pure ISO 15765-2 N_PDU codec: single, first, consecutive and flow-control frames, classical and CAN FD,
// with an optional extended-addressing byte in front. No timing, no state.
import { fdLengthFor } from '../can/frame.ts';

export const FlowStatus = { ContinueToSend: 0, Wait: 1, Overflow: 2 } as const;
export type FlowStatus = (typeof FlowStatus)[keyof typeof FlowStatus];

export type IsoTpPdu =
  | { type: 'single'; payload: Uint8Array }
  | { type: 'first'; messageLength: number; payload: Uint8Array }
  | { type: 'consecutive'; sequenceNumber: number; payload: Uint8Array }
  | { type: 'flowControl'; status: FlowStatus; blockSize: number; stMin: number };

export type DecodedPdu = IsoTpPdu | { type: 'invalid'; reason: string };

/** How frames are laid out on the wire for one direction. */
export interface FrameLayout {
  /** Extended / mixed addressing: the address byte in front of the PCI, or null. */
  addressByte: number | null;
  /** TX_DL: 8 for classical CAN, 8..64 (a CAN FD length) for CAN FD. */
  txDataLength: number;
  /** Padding byte for unused bytes, or null to send frames only as long as needed (classical only). */
  padding: number | null;
}

/** How a message arrived: in CAN FD or classical frames, and the data length of its single or first frame
 * (RX_DL). A reply goes out the same way (ISO 15765-2): a classical-only node cannot take CAN FD frames. */
export interface ReceivedFormat {
  fd: boolean;
  dataLength: number;
}

/** Largest message 32-bit FF_DL can announce. */
export const MAX_MESSAGE_LENGTH = 0xffffffff;
const FF_DL_12BIT_MAX = 0xfff;
const DEFAULT_FD_PADDING = 0xcc;

const prefixLength = (layout: FrameLayout): number => (layout.addressByte === null ? 0 : 1);

/** Largest payload a single frame carries with this layout. */
export function singleFrameCapacity(layout: FrameLayout): number {
  const a = prefixLength(layout);
  return layout.txDataLength <= 8 ? 7 - a : layout.txDataLength - 2 - a;
}

export function consecutiveFrameCapacity(layout: FrameLayout): number {
  return layout.txDataLength - 1 - prefixLength(layout);
}

export function firstFrameCapacity(layout: FrameLayout, messageLength: number): number {
  const header = messageLength > FF_DL_12BIT_MAX ? 6 : 2;
  return layout.txDataLength - header - prefixLength(layout);
}

function withPrefix(layout: FrameLayout, pci: number[], payload: Uint8Array): Uint8Array {
  return finishWithPayload(layout.addressByte === null ? pci : [layout.addressByte, ...pci], payload, layout);
}

/** Pads to 8 (classical, when padding is on) or to the next CAN FD length (mandatory over 8 bytes). */
function finishWithPayload(head: number[], payload: Uint8Array, layout: FrameLayout): Uint8Array {
  const total = head.length + payload.length;
  let length = total;
  if (length > 8) length = fdLengthFor(length);
  else if (layout.padding !== null) length = 8;
  const out = new Uint8Array(length);
  out.set(head);
  out.set(payload, head.length);
  if (length > total) out.fill(layout.padding ?? DEFAULT_FD_PADDING, total);
  return out;
}

export function encodeSingleFrame(payload: Uint8Array, layout: FrameLayout): Uint8Array {
  const capacity = singleFrameCapacity(layout);
  if (payload.length < 1 || payload.length > capacity) {
    throw new RangeError(`a single frame carries 1..${capacity} bytes here, not ${payload.length}`);
  }
  const a = prefixLength(layout);
  // Classical SF_DL nibble when it fits in 8 bytes, the CAN FD escape (0x00, SF_DL) otherwise.
  if (payload.length <= 7 - a) return withPrefix(layout, [payload.length], payload);
  return withPrefix(layout, [0x00, payload.length], payload);
}

/** The first frame of a message: carries as many payload bytes as fit; returns how many. */
export function encodeFirstFrame(message: Uint8Array, layout: FrameLayout): { frame: Uint8Array; consumed: number } {
  const length = message.length;
  if (length > MAX_MESSAGE_LENGTH) throw new RangeError(`ISO-TP messages are at most 4 GiB - 1, not ${length}`);
  const consumed = firstFrameCapacity(layout, length);
  const pci =
    length > FF_DL_12BIT_MAX
      ? [0x10, 0x00, (length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff]
      : [0x10 | (length >> 8), length & 0xff];
  return { frame: withPrefix(layout, pci, message.subarray(0, consumed)), consumed };
}

export function encodeConsecutiveFrame(sequenceNumber: number, chunk: Uint8Array, layout: FrameLayout): Uint8Array {
  return encodeConsecutiveFrameOf(sequenceNumber, chunk, 0, chunk.length, layout);
}

/** The consecutive frame carrying `message[start, end)`: the same bytes as encodeConsecutiveFrame, written
 * directly (no subarray, no PCI array), as it runs once per frame of every transfer. */
export function encodeConsecutiveFrameOf(
  sequenceNumber: number,
  message: Uint8Array,
  start: number,
  end: number,
  layout: FrameLayout,
): Uint8Array {
  const a = prefixLength(layout);
  const total = a + 1 + end - start;
  const length = total > 8 ? fdLengthFor(total) : layout.padding !== null ? 8 : total;
  const out = new Uint8Array(length);
  if (a === 1) out[0] = layout.addressByte as number;
  out[a] = 0x20 | (sequenceNumber & 0x0f);
  for (let i = start, o = a + 1; i < end; i++, o++) out[o] = message[i] as number;
  if (length > total) out.fill(layout.padding ?? DEFAULT_FD_PADDING, total);
  return out;
}

export function encodeFlowControl(
  status: FlowStatus,
  blockSize: number,
  stMin: number,
  layout: FrameLayout,
): Uint8Array {
  return withPrefix(layout, [0x30 | status, blockSize & 0xff, stMin & 0xff], new Uint8Array(0));
}

/**
 * Decodes one frame's data (the address byte, if any, already removed). `canDataLength` is the whole CAN
 * frame's length, which decides classical versus escape single frames. Never throws.
 */
export function decodePdu(data: Uint8Array, canDataLength: number, addressed: boolean): DecodedPdu {
  if (data.length === 0) return { type: 'invalid', reason: 'empty frame' };
  const b0 = data[0] as number;
  const a = addressed ? 1 : 0;
  switch (b0 >> 4) {
    case 0: {
      const nibble = b0 & 0x0f;
      if (canDataLength <= 8) {
        if (nibble === 0 || nibble > 7 - a || nibble > data.length - 1) {
          return { type: 'invalid', reason: `single frame length ${nibble} invalid in a ${canDataLength}-byte frame` };
        }
        return { type: 'single', payload: data.subarray(1, 1 + nibble) };
      }
      const length = data[1] ?? 0;
      if (nibble !== 0 || length === 0 || length > data.length - 2) {
        return {
          type: 'invalid',
          reason: `CAN FD single frame length ${length} invalid in a ${canDataLength}-byte frame`,
        };
      }
      return { type: 'single', payload: data.subarray(2, 2 + length) };
    }
    case 1: {
      if (canDataLength < 8 || data.length < 2) return { type: 'invalid', reason: 'first frame shorter than 8 bytes' };
      let messageLength = ((b0 & 0x0f) << 8) | (data[1] as number);
      let header = 2;
      if (messageLength === 0) {
        if (data.length < 6) return { type: 'invalid', reason: 'escaped first frame too short' };
        messageLength =
          ((data[2] as number) * 0x1000000 +
            (((data[3] as number) << 16) | ((data[4] as number) << 8) | (data[5] as number))) >>>
          0;
        header = 6;
        if (messageLength <= FF_DL_12BIT_MAX) {
          return { type: 'invalid', reason: `escaped first frame announces ${messageLength} bytes (must exceed 4095)` };
        }
      }
      const inFrame = data.length - header;
      const minimum = canDataLength <= 8 ? 8 - a : canDataLength - 1 - a;
      if (messageLength < minimum || messageLength <= inFrame) {
        return { type: 'invalid', reason: `first frame announces ${messageLength} bytes, which fit a single frame` };
      }
      return { type: 'first', messageLength, payload: data.subarray(header) };
    }
    case 2:
      return { type: 'consecutive', sequenceNumber: b0 & 0x0f, payload: data.subarray(1) };
    case 3: {
      const status = b0 & 0x0f;
      if (data.length < 3) return { type: 'invalid', reason: 'flow control frame shorter than 3 bytes' };
      if (status > FlowStatus.Overflow) return { type: 'invalid', reason: `flow status ${status} is reserved` };
      return {
        type: 'flowControl',
        status: status as FlowStatus,
        blockSize: data[1] as number,
        stMin: data[2] as number,
      };
    }
    default:
      return { type: 'invalid', reason: `PCI type ${b0 >> 4} is reserved` };
  }
}
