/** U+0000: PostgreSQL text cannot hold it and no field of this system has a use for it. */
export const NUL = '\u0000';
export const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

/** The paths (`at.items.0.title`) of every string, or object key, in `value` that holds U+0000. */
export function nulFields(value: unknown, at: string, found: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.includes(NUL)) found.push(at);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => nulFields(item, `${at}.${i}`, found));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes(NUL)) found.push(`${at}.${JSON.stringify(key)}`);
      nulFields(item, `${at}.${key}`, found);
    }
  }
  return found;
}
