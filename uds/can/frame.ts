// A CAN frame as the transports and ISO-TP see it, and the checks that keep invalid frames off the bus.

/** One CAN frame. `extended` selects 29-bit identifiers; `fd` a CAN FD frame (up to 64 data bytes). */
export interface CanFrame {
  id: number;
  extended: boolean;
  fd: boolean;
  data: Uint8Array;
}

export const MAX_STANDARD_ID = 0x7ff;
export const MAX_EXTENDED_ID = 0x1fffffff;
export const CLASSICAL_MAX_DATA = 8;

/** The data lengths a CAN FD frame can carry (DLC 0..15), ISO 11898-1. */
export const FD_DATA_LENGTHS: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];

export class CanFrameError extends Error {
  override readonly name = 'CanFrameError';
}

/** The smallest CAN FD data length that holds `length` bytes. */
export function fdLengthFor(length: number): number {
  const fit = FD_DATA_LENGTHS.find((l) => l >= length);
  if (fit === undefined) throw new CanFrameError(`a CAN FD frame carries at most 64 bytes, not ${length}`);
  return fit;
}

/** Throws a CanFrameError naming what is wrong; returns the frame unchanged otherwise. */
export function validateCanFrame(frame: CanFrame): CanFrame {
  const maxId = frame.extended ? MAX_EXTENDED_ID : MAX_STANDARD_ID;
  if (!Number.isInteger(frame.id) || frame.id < 0 || frame.id > maxId) {
    throw new CanFrameError(
      `CAN id ${String(frame.id)} out of range for ${frame.extended ? '29' : '11'}-bit identifiers (0..0x${maxId.toString(16)})`,
    );
  }
  const length = frame.data.length;
  if (frame.fd) {
    if (!FD_DATA_LENGTHS.includes(length)) {
      throw new CanFrameError(`CAN FD frame data length ${length} is not one of ${FD_DATA_LENGTHS.join(', ')}`);
    }
  } else if (length > CLASSICAL_MAX_DATA) {
    throw new CanFrameError(`classical CAN frame data length ${length} exceeds 8`);
  }
  return frame;
}

/** Short human form, `7E0#0210030000000000` style (candump), for logs and errors. */
export function formatCanFrame(frame: CanFrame): string {
  const id = frame.id
    .toString(16)
    .toUpperCase()
    .padStart(frame.extended ? 8 : 3, '0');
  const data = Buffer.from(frame.data).toString('hex').toUpperCase();
  return frame.fd ? `${id}##${data}` : `${id}#${data}`;
}
