// The application information block images start with (the reference ECU's image format: "OTAAPP01", then the
// software version and the hardware id, NUL-padded ASCII). The ECU checks it in checkProgrammingDependencies;
// the gateway reads it to refuse a wrong image before erasing anything.
const MAGIC = 'OTAAPP01';
const LENGTH = 64;

export interface AppInfo {
  softwareVersion: string;
  hardwareId: string;
}

function field(bytes: Uint8Array, offset: number, length: number): string {
  const raw = Buffer.from(bytes.subarray(offset, offset + length));
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString('latin1');
}

/** The info block of an image's first region, or null when it has none. */
export function readAppInfo(firstRegion: Uint8Array): AppInfo | null {
  if (firstRegion.length < LENGTH || Buffer.from(firstRegion.subarray(0, 8)).toString('latin1') !== MAGIC) return null;
  return { softwareVersion: field(firstRegion, 8, 24), hardwareId: field(firstRegion, 32, 32) };
}
