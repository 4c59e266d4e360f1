const VIN_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';

/** The i-th VIN of a fleet: the prefix (padded or cut to 9 valid characters) and an 8-character counter. */
export function fleetVin(prefix: string, i: number): string {
  const head = (prefix.toUpperCase().replace(/[^A-HJ-NPR-Z0-9]/g, 'X') + 'XXXXXXXXX').slice(0, 9);
  let n = i;
  let tail = '';
  for (let k = 0; k < 8; k++) {
    tail = VIN_CHARS[n % VIN_CHARS.length]! + tail;
    n = Math.floor(n / VIN_CHARS.length);
  }
  return head + tail;
}

export function fleetVins(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => fleetVin(prefix, i));
}
