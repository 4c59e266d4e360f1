// What the byte-exact codec tests share: hex in and out, and the NRC a server-side decoder answers with.
import { NegativeResponse } from '../nrc.ts';

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
export const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/ /g, ''), 'hex'));

/** The NRC `fn` throws as NegativeResponse; undefined when it returns. */
export function nrcOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof NegativeResponse) return err.nrc;
    throw err;
  }
  return undefined;
}
