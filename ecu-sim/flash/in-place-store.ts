// The non-volatile record of an in-place update on a single-bank ECU, beside state.json: the received patch
// (in-place-patch.bin: region index u8, then the OTIP patch) and the progress (in-place-progress.bin: the step
// under way u32, then the scratch area holding that step's new segment content, empty before the first step).
// Each file is replaced atomically, so a power cut leaves the old or the new record, never a torn one. The
// progress file exists exactly while an update is under way: the bootloader resumes from it at power-on.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PowerSupply } from './power.ts';
import { fsyncDirectory, writeFileAtomic } from './state-store.ts';

const PATCH_FILE = 'in-place-patch.bin';
const PROGRESS_FILE = 'in-place-progress.bin';

/** An update under way: which region, the patch, the step to (re)do and its staged segment (null: not staged). */
export interface InPlaceProgress {
  regionIndex: number;
  patch: Uint8Array;
  step: number;
  scratch: Uint8Array | null;
}

export class InPlaceStore {
  constructor(
    readonly dir: string,
    private readonly power: PowerSupply,
  ) {}

  /** Persists the patch, then the progress record of step 0 (nothing staged): from here a power cut resumes. */
  begin(regionIndex: number, patch: Uint8Array): void {
    this.power.assertOn('in-place');
    writeFileAtomic(this.dir, PATCH_FILE, Buffer.concat([Uint8Array.of(regionIndex), patch]));
    this.power.assertOn('in-place');
    writeFileAtomic(this.dir, PROGRESS_FILE, Buffer.alloc(4));
  }

  /** Persists step `step` with its new segment content in the scratch area, before the segment is erased. */
  stage(step: number, content: Uint8Array): void {
    this.power.assertOn('in-place');
    const head = Buffer.alloc(4);
    head.writeUInt32BE(step, 0);
    writeFileAtomic(this.dir, PROGRESS_FILE, Buffer.concat([head, content]));
  }

  /** The update is over (done or abandoned): the progress record goes first, so a cut never resumes it. */
  finish(): void {
    this.power.assertOn('in-place');
    rmSync(join(this.dir, PROGRESS_FILE), { force: true });
    fsyncDirectory(this.dir);
    rmSync(join(this.dir, PATCH_FILE), { force: true });
  }

  /** The update under way, or null. */
  load(): InPlaceProgress | null {
    const progressFile = join(this.dir, PROGRESS_FILE);
    if (!existsSync(progressFile)) return null;
    const progress = readFileSync(progressFile);
    const stored = readFileSync(join(this.dir, PATCH_FILE));
    return {
      regionIndex: stored[0]!,
      patch: new Uint8Array(stored.subarray(1)),
      step: progress.readUInt32BE(0),
      scratch: progress.length > 4 ? new Uint8Array(progress.subarray(4)) : null,
    };
  }
}
