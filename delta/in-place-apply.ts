// What a receiver of an in-place patch needs besides the format: the check that the step order never reads a
// segment an earlier step rewrote (refused before anything is written), and the rebuild of one step's segment
// from the old content of its sources.
import { decode } from './decode.ts';
import { sha256Hex, toHex } from './digest.ts';
import { DeltaError } from './errors.ts';
import { segmentBounds, type InPlacePatch, type InPlaceStep } from './in-place-format.ts';

/** Throws a DeltaError when a step reads a segment rewritten before it, or a segment is rewritten twice. */
export function checkInPlaceOrder(patch: InPlacePatch): void {
  const written = new Set<number>();
  for (const [index, step] of patch.steps.entries()) {
    const stale = step.sources.find((s) => written.has(s));
    if (stale !== undefined) {
      throw new DeltaError('corrupt', `in-place step ${index} reads segment ${stale}, already rewritten`);
    }
    if (written.has(step.segment)) throw new DeltaError('corrupt', `segment ${step.segment} rewritten twice`);
    written.add(step.segment);
  }
}

/** The new content of `step`'s segment; `readOld(s)` gives segment s as it is in memory now (still old). */
export function rebuildSegment(
  patch: InPlacePatch,
  step: InPlaceStep,
  readOld: (segment: number) => Uint8Array,
): Uint8Array {
  const [start, end] = segmentBounds(patch, step.segment);
  const base = Buffer.concat(step.sources.map((s) => readOld(s)));
  const out = decode(base, step.pkg, { maxResultLength: end - start });
  if (out.length !== end - start) {
    throw new DeltaError('result_mismatch', `in-place step rebuilds ${out.length} bytes, segment holds ${end - start}`);
  }
  return out;
}

/** Applies a patch to `memory` in place (RAM, no power loss): what a test or a gateway-side check needs. */
export function applyInPlace(memory: Uint8Array, patch: InPlacePatch): void {
  if (memory.length !== patch.length) throw new DeltaError('base_mismatch', 'memory and patch lengths differ');
  if (sha256Hex(memory) !== toHex(patch.baseSha256)) throw new DeltaError('base_mismatch', 'not the patch base');
  checkInPlaceOrder(patch);
  for (const step of patch.steps) {
    const content = rebuildSegment(patch, step, (s) => memory.slice(...segmentBounds(patch, s)));
    memory.set(content, segmentBounds(patch, step.segment)[0]);
  }
  if (sha256Hex(memory) !== toHex(patch.targetSha256)) throw new DeltaError('result_mismatch', 'wrong image rebuilt');
}
