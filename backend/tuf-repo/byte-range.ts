/** A satisfiable single byte range of a resource, inclusive end, as HTTP Range (RFC 9110 §14.1.2) means it. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Parses `bytes=a-b`, `bytes=a-` or `bytes=-n` against a resource of `length` bytes. Returns
 * undefined when there is no Range header, 'unsatisfiable' for a range outside the resource, and
 * throws on syntax this server does not serve (several ranges, other units).
 */
export function parseByteRange(header: string | undefined, length: number): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) throw new RangeError(`unsupported Range header: ${header}`);
  const [, first = '', last = ''] = match;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, length - suffix), end: length - 1 };
  }
  const start = Number(first);
  const end = last === '' ? length - 1 : Math.min(Number(last), length - 1);
  if (start >= length || end < start) return 'unsatisfiable';
  return { start, end };
}
