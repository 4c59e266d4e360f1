// Checks each op against the declared sizes before any byte is written, so a corrupt or hostile
// package can neither read outside the base image nor write past the declared result length.

import { DeltaError } from './errors.ts';
import type { DeltaOp } from './match.ts';

export class OpGuard {
  /** Output bytes accounted for so far. */
  written = 0;
  /** Where the next added byte is read from in the base image. */
  oldPos = 0;

  constructor(
    private readonly baseLength: number,
    private readonly resultLength: number,
  ) {}

  /** Validates `op` and advances the cursors past it; returns the base offset its add part reads from. */
  admit(op: DeltaOp): number {
    if (op.add + op.extra === 0) throw new DeltaError('corrupt', 'control stream holds an empty op');
    if (this.written + op.add + op.extra > this.resultLength) {
      throw new DeltaError('corrupt', `ops write past the declared result length of ${this.resultLength} bytes`);
    }
    if (op.add === 0 && op.seek !== 0) throw new DeltaError('corrupt', 'control stream holds a seek without an add');
    const from = this.oldPos + op.seek;
    if (op.add > 0 && (from < 0 || from + op.add > this.baseLength)) {
      throw new DeltaError(
        'corrupt',
        `op reads base bytes ${from}..${from + op.add} outside the ${this.baseLength}-byte base`,
      );
    }
    if (op.add > 0) this.oldPos = from + op.add;
    this.written += op.add + op.extra;
    return from;
  }

  finish(): void {
    if (this.written !== this.resultLength) {
      throw new DeltaError('corrupt', `ops produce ${this.written} bytes, the header declares ${this.resultLength}`);
    }
  }
}
