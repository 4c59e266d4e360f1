const EXPIRES = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** TUF `expires` text for a date: `YYYY-MM-DDTHH:MM:SSZ`, UTC, whole seconds (truncated). */
export function formatExpires(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid date');
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The instant a TUF `expires` text names, or undefined if it is not exactly that format and a real date. */
export function parseExpires(text: string): Date | undefined {
  if (!EXPIRES.test(text)) return undefined;
  const date = new Date(text);
  return !Number.isNaN(date.getTime()) && formatExpires(date) === text ? date : undefined;
}
