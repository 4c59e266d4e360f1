// Helpers shared by the codec's tests.
import { DeltaError } from './errors.ts';
import type { DeltaErrorCode } from './errors.ts';

/** The DeltaError code that `p` fails with, or 'ok'; any other error is rethrown. */
export async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<DeltaErrorCode | 'ok'> {
  try {
    await (typeof p === 'function' ? p() : p);
    return 'ok';
  } catch (err) {
    if (err instanceof DeltaError) return err.code;
    throw err;
  }
}
