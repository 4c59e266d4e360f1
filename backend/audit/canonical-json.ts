/**
 * Deterministic JSON for hashing audit entries: object keys sorted by UTF-16 code units, strings and
 * numbers as JSON.stringify writes them (the RFC 8785 / JCS rules), undefined members dropped. jsonb
 * reorders keys, so the hash must not depend on the order the database returns them in.
 *
 * Deliberately NOT protocol/tuf/canonical-json.ts: that is TUF's OLPC dialect, which refuses floats
 * (audit entries hold CVSS scores such as 9.8), writes control characters in strings unescaped and
 * sorts keys by code point. Switching would make audit writes throw and change the hash of every
 * stored entry with a newline in it, so existing chains would no longer verify (see the tests).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** What a value looks like after a round trip through jsonb (dates become ISO strings). */
export function asStoredJson(value: unknown): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}
