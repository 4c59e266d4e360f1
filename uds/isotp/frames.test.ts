import { describe, expect, it } from 'vitest';
import {
  FlowStatus,
  decodePdu,
  encodeConsecutiveFrame,
  encodeFirstFrame,
  encodeFlowControl,
  encodeSingleFrame,
  singleFrameCapacity,
  type FrameLayout,
} from './frames.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'));
const classical: FrameLayout = { addressByte: null, txDataLength: 8, padding: 0xcc };
const unpadded: FrameLayout = { ...classical, padding: null };
const fd64: FrameLayout = { addressByte: null, txDataLength: 64, padding: 0xcc };
const extAddr: FrameLayout = { addressByte: 0xf1, txDataLength: 8, padding: 0xaa };

describe('ISO-TP frame encoding (byte-exact)', () => {
  it('single frame, classical, padded with 0xCC or unpadded', () => {
    expect(hex(encodeSingleFrame(bytes('1003'), classical))).toBe('021003CCCCCCCCCC');
    expect(hex(encodeSingleFrame(bytes('1003'), unpadded))).toBe('021003');
    expect(hex(encodeSingleFrame(bytes('01020304050607'), classical))).toBe('0701020304050607');
    expect(() => encodeSingleFrame(bytes('0102030405060708'), classical)).toThrow(RangeError);
  });

  it('single frame with extended addressing carries 6 bytes after the address byte', () => {
    expect(hex(encodeSingleFrame(bytes('3E00'), extAddr))).toBe('F1023E00AAAAAAAA');
    expect(singleFrameCapacity(extAddr)).toBe(6);
  });

  it('CAN FD single frame: nibble form up to 7 bytes, escape (00, SF_DL) beyond, padded to a DLC length', () => {
    expect(hex(encodeSingleFrame(bytes('1003'), fd64))).toBe('021003CCCCCCCCCC');
    const eight = encodeSingleFrame(bytes('0102030405060708'), fd64);
    expect(hex(eight)).toBe('00080102030405060708CCCC'); // 10 bytes -> DLC length 12
    const max = encodeSingleFrame(new Uint8Array(62).fill(0x11), fd64);
    expect(max.length).toBe(64);
    expect(hex(max.subarray(0, 3))).toBe('003E11');
    expect(singleFrameCapacity(fd64)).toBe(62);
  });

  it('first frame: 12-bit length, and the escape for more than 4095 bytes', () => {
    const msg = Uint8Array.from({ length: 20 }, (_, i) => i);
    const ff = encodeFirstFrame(msg, classical);
    expect(hex(ff.frame)).toBe('1014000102030405');
    expect(ff.consumed).toBe(6);
    const big = encodeFirstFrame(new Uint8Array(0x1000).fill(0x5a), classical);
    expect(hex(big.frame)).toBe('100000001000' + '5A5A');
    expect(big.consumed).toBe(2);
    const fdBig = encodeFirstFrame(new Uint8Array(1 << 20).fill(1), fd64);
    expect(hex(fdBig.frame.subarray(0, 7))).toBe('10000010000001');
    expect(fdBig.frame.length).toBe(64);
    expect(fdBig.consumed).toBe(58);
  });

  it('consecutive frames carry the sequence number nibble; the last one is padded', () => {
    expect(hex(encodeConsecutiveFrame(1, bytes('06070809'), classical))).toBe('2106070809CCCCCC');
    expect(hex(encodeConsecutiveFrame(0x1f, bytes('00'), unpadded))).toBe('2F00');
    expect(encodeConsecutiveFrame(3, new Uint8Array(20), fd64).length).toBe(24);
  });

  it('flow control frames', () => {
    expect(hex(encodeFlowControl(FlowStatus.ContinueToSend, 8, 0x14, classical))).toBe('300814CCCCCCCCCC');
    expect(hex(encodeFlowControl(FlowStatus.Wait, 0, 0, unpadded))).toBe('310000');
    expect(hex(encodeFlowControl(FlowStatus.Overflow, 0, 0xf5, extAddr))).toBe('F13200F5AAAAAAAA');
  });
});

describe('ISO-TP frame decoding', () => {
  it('decodes what it encodes', () => {
    expect(decodePdu(bytes('021003CCCCCCCCCC'), 8, false)).toEqual({ type: 'single', payload: bytes('1003') });
    expect(decodePdu(bytes('00080102030405060708CCCC'), 12, false)).toEqual({
      type: 'single',
      payload: bytes('0102030405060708'),
    });
    expect(decodePdu(bytes('1014000102030405'), 8, false)).toEqual({
      type: 'first',
      messageLength: 20,
      payload: bytes('000102030405'),
    });
    expect(decodePdu(bytes('1000000010005A5A'), 8, false)).toMatchObject({ type: 'first', messageLength: 4096 });
    expect(decodePdu(bytes('2A00'), 2, false)).toEqual({
      type: 'consecutive',
      sequenceNumber: 10,
      payload: bytes('00'),
    });
    expect(decodePdu(bytes('300814'), 3, false)).toEqual({ type: 'flowControl', status: 0, blockSize: 8, stMin: 0x14 });
  });

  it.each([
    ['empty', ''],
    ['SF_DL 0 on classical CAN', '00CCCCCCCCCCCCCC'],
    ['SF_DL longer than the frame', '0501020304'],
    ['SF_DL 8 on classical CAN', '0801020304050607'],
    ['nibble SF in a frame over 8 bytes', '02100300000000000000CCCC'],
    ['escape SF_DL longer than the frame', '00200102030405060708CCCC'],
    ['first frame in a short frame', '101400010203'],
    ['first frame for a message that fits a single frame', '1007010203040506'],
    ['escaped first frame with a small length', '1000000000105A5A'],
    ['flow control too short', '3000'],
    ['reserved flow status', '330000'],
    ['reserved PCI type', '4000000000000000'],
  ])('reports %s as invalid instead of throwing', (_what, frame) => {
    const data = bytes(frame);
    expect(decodePdu(data, data.length, false).type).toBe('invalid');
  });
});
