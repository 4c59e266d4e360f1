// Sets of byte ranges [offset, offset+length): what of a blob has arrived, what is still missing.
export interface ByteRange {
  offset: number;
  length: number;
}

/** Sorted, merged copy. */
export function normalize(ranges: readonly ByteRange[]): ByteRange[] {
  const sorted = ranges.filter((r) => r.length > 0).sort((a, b) => a.offset - b.offset);
  const out: ByteRange[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.offset <= last.offset + last.length) {
      last.length = Math.max(last.length, r.offset + r.length - last.offset);
    } else out.push({ ...r });
  }
  return out;
}

export function missing(received: readonly ByteRange[], total: number): ByteRange[] {
  const gaps: ByteRange[] = [];
  let at = 0;
  for (const r of normalize(received)) {
    if (r.offset > at) gaps.push({ offset: at, length: r.offset - at });
    at = Math.max(at, r.offset + r.length);
  }
  if (at < total) gaps.push({ offset: at, length: total - at });
  return gaps;
}

/** Splits ranges into pieces of at most `size` bytes. */
export function split(ranges: readonly ByteRange[], size: number): ByteRange[] {
  return ranges.flatMap((r) => {
    const parts: ByteRange[] = [];
    for (let o = r.offset; o < r.offset + r.length; o += size)
      parts.push({ offset: o, length: Math.min(size, r.offset + r.length - o) });
    return parts;
  });
}

export function receivedBytes(received: readonly ByteRange[]): number {
  return normalize(received).reduce((n, r) => n + r.length, 0);
}
