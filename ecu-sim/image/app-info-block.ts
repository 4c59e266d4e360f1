// The application information block: the first 64 bytes of an ECU's first flash region. The bootloader reads
// the software version (F189) and the hardware id the image was built for from it (checkProgrammingDependencies).
//   offset 0  8 bytes  magic "OTAAPP01"
//   offset 8  24 bytes software version, ASCII, NUL-padded
//   offset 32 32 bytes hardware id, ASCII, NUL-padded
export const INFO_BLOCK_MAGIC = 'OTAAPP01';
export const INFO_BLOCK_LENGTH = 64;
const VERSION_OFFSET = 8;
const VERSION_LENGTH = 24;
const HARDWARE_OFFSET = 32;
const HARDWARE_LENGTH = 32;

export interface AppInfo {
  softwareVersion: string;
  hardwareId: string;
}

function asciiField(value: string, length: number, what: string): Buffer {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new Error(`${what} must be printable ASCII: ${JSON.stringify(value)}`);
  if (value.length > length) throw new Error(`${what} is longer than ${length} characters: ${value}`);
  const out = Buffer.alloc(length);
  out.write(value, 'ascii');
  return out;
}

export function encodeInfoBlock(info: AppInfo): Uint8Array {
  return new Uint8Array(
    Buffer.concat([
      Buffer.from(INFO_BLOCK_MAGIC, 'ascii'),
      asciiField(info.softwareVersion, VERSION_LENGTH - 1, 'the software version'),
      Buffer.alloc(1),
      asciiField(info.hardwareId, HARDWARE_LENGTH, 'the hardware id'),
    ]),
  );
}

function readAscii(bytes: Uint8Array, offset: number, length: number): string {
  const field = Buffer.from(bytes.subarray(offset, offset + length));
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? length : end).toString('latin1');
}

/** The info block at the start of `region`, or null when the region does not start with one. */
export function decodeInfoBlock(region: Uint8Array): AppInfo | null {
  if (region.length < INFO_BLOCK_LENGTH) return null;
  if (Buffer.from(region.subarray(0, 8)).toString('latin1') !== INFO_BLOCK_MAGIC) return null;
  return {
    softwareVersion: readAscii(region, VERSION_OFFSET, VERSION_LENGTH),
    hardwareId: readAscii(region, HARDWARE_OFFSET, HARDWARE_LENGTH),
  };
}
