import { describe, expect, it } from 'vitest';
import { CanFrameError, fdLengthFor, formatCanFrame, validateCanFrame } from './frame.ts';

const frame = (id: number, extended: boolean, fd: boolean, length: number) => ({
  id,
  extended,
  fd,
  data: new Uint8Array(length),
});

describe('CAN frame validation', () => {
  it('accepts identifiers at the edges of both ranges', () => {
    expect(() => validateCanFrame(frame(0x7ff, false, false, 8))).not.toThrow();
    expect(() => validateCanFrame(frame(0x1fffffff, true, false, 0))).not.toThrow();
  });

  it('rejects identifiers out of range, naming the range', () => {
    expect(() => validateCanFrame(frame(0x800, false, false, 8))).toThrow(/11-bit/);
    expect(() => validateCanFrame(frame(0x20000000, true, false, 8))).toThrow(CanFrameError);
    expect(() => validateCanFrame(frame(-1, false, false, 8))).toThrow(CanFrameError);
  });

  it('limits classical frames to 8 bytes and FD frames to the DLC lengths', () => {
    expect(() => validateCanFrame(frame(1, false, false, 9))).toThrow(/exceeds 8/);
    for (const ok of [0, 8, 12, 16, 20, 24, 32, 48, 64])
      expect(() => validateCanFrame(frame(1, false, true, ok))).not.toThrow();
    for (const bad of [9, 13, 63, 65])
      expect(() => validateCanFrame(frame(1, false, true, bad))).toThrow(/CAN FD frame data length/);
  });

  it('maps lengths to the next CAN FD length', () => {
    expect([0, 8, 9, 12, 13, 25, 33, 49, 64].map(fdLengthFor)).toEqual([0, 8, 12, 12, 16, 32, 48, 64, 64]);
    expect(() => fdLengthFor(65)).toThrow(CanFrameError);
  });

  it('formats frames like candump', () => {
    expect(formatCanFrame({ id: 0x7e0, extended: false, fd: false, data: Uint8Array.of(0x02, 0x10, 0x03) })).toBe(
      '7E0#021003',
    );
    expect(formatCanFrame({ id: 0x18da10f1, extended: true, fd: true, data: Uint8Array.of(1) })).toBe('18DA10F1##01');
  });
});
