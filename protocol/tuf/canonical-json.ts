/**
 * TUF's canonical JSON (the OLPC dialect used by TUF's reference implementation, not RFC 8785):
 * object keys sorted, no whitespace, strings escape only `"` and `\`, integers only.
 *
 * Written here rather than taken from @tufjs/canonical-json because that encoder silently turns
 * Dates, Maps and typed arrays into `{}` or index-keyed objects, prints 1e21 as `1e+21` and
 * rejects `undefined` or NaN without saying where. The two agree on every plain JSON value
 * (see canonical-json.test.ts).
 */

/** A value that has a canonical JSON form. */
export type CanonicalJsonValue =
  string | number | boolean | null | readonly CanonicalJsonValue[] | { readonly [key: string]: CanonicalJsonValue };

export class CanonicalJsonError extends Error {
  override readonly name = 'CanonicalJsonError';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`cannot encode ${path} as canonical JSON: ${reason}`);
  }
}

// A lone surrogate cannot be encoded as UTF-8, so the signed bytes would not be what the signer saw.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function encodeString(value: string, path: string): string {
  if (LONE_SURROGATE.test(value)) throw new CanonicalJsonError(path, 'string holds a lone UTF-16 surrogate');
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Code point order (what TUF's Python implementation sorts by), not UTF-16 unit order. They
 * differ only where a surrogate (part of a code point above U+FFFF) meets a unit U+E000-U+FFFF.
 */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function encode(value: unknown, path: string, out: string[]): void {
  switch (typeof value) {
    case 'string':
      out.push(encodeString(value, path));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isSafeInteger(value)) {
        throw new CanonicalJsonError(path, `${value} is not a safe integer (floats are not allowed)`);
      }
      out.push(Object.is(value, -0) ? '0' : String(value));
      return;
    case 'object': {
      if (value === null) {
        out.push('null');
        return;
      }
      if (Array.isArray(value)) {
        out.push('[');
        value.forEach((item, i) => {
          if (i > 0) out.push(',');
          encode(item, `${path}[${i}]`, out);
        });
        out.push(']');
        return;
      }
      if (!isPlainObject(value)) {
        throw new CanonicalJsonError(path, `${value.constructor?.name ?? 'object'} is not a plain JSON object`);
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort(compareCodePoints);
      out.push('{');
      keys.forEach((key, i) => {
        if (i > 0) out.push(',');
        const childPath = `${path}.${key}`;
        out.push(encodeString(key, childPath), ':');
        encode(record[key], childPath, out);
      });
      out.push('}');
      return;
    }
    default:
      throw new CanonicalJsonError(path, `${typeof value} is not a JSON value`);
  }
}

/** The canonical JSON text of `value`; throws CanonicalJsonError naming the offending path. */
export function canonicalize(value: unknown): string {
  const out: string[] = [];
  encode(value, '$', out);
  return out.join('');
}

/** The canonical JSON of `value` as UTF-8 bytes (what is hashed and signed). */
export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalize(value));
}

/**
 * A deep copy of `value` without object properties whose value is `undefined` (as JSON.stringify
 * would drop them). For signers: TypeScript optional fields are often present-but-undefined, and
 * canonicalize refuses those rather than guess.
 */
export function omitUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => omitUndefined(item)) as T;
  if (typeof value === 'object' && value !== null && isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, omitUndefined(v)]),
    ) as T;
  }
  return value;
}
