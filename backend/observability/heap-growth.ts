// How far the JavaScript heap may grow past its live size. Under delivery's allocation rate (offers,
// reports and their SQL, tens of thousands a second) V8 on a machine with much memory lets the heap
// reach up to 4x what the last full collection kept before collecting again: 60-90 MB live became
// 230-260 MB of heap and 400-600 MB resident in the fleet bench. A fixed factor bounds that; V8 reads
// the flag each time it sets the next limit, so setting it at start applies to the whole run.
import { setFlagsFromString } from 'node:v8';

/** Caps the heap's growth between full collections at `percent` of the live size (0 leaves V8's heuristics). */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
