// A single-bank bootloader rebuilding a new image inside its only bank from an in-place patch (delta/
// in-place-format.ts). Before anything changes: the patch parses, its order never reads a rewritten segment,
// its segments are whole sectors of the region and its base is the region's content. Then the region's
// signature is dropped (the application stays in the bootloader until checkMemory accepts the result), the
// patch is persisted, and per step: the new segment is rebuilt from still-old sources, persisted with the step
// number in the scratch area, its sectors erased and programmed. A power cut at any write resumes at power-on
// from the record (redoing the staged step from scratch); a result that is not the patch's target is dropped
// and the ECU stays in its bootloader.
import {
  checkInPlaceOrder,
  DeltaError,
  readInPlacePatch,
  rebuildSegment,
  segmentBounds,
  type InPlacePatch,
} from '@ota/delta';
import { sha256 } from '@ota/uds';
import type { FlashRegion } from '@ota/uds/vehicle';
import type { InPlaceProgress, InPlaceStore } from '../flash/in-place-store.ts';
import type { EcuMemory } from './ecu-memory.ts';

/** The single bank's name in EcuMemory. */
const BANK = 'A';

export class InPlaceRefusedError extends Error {
  override readonly name = 'InPlaceRefusedError';
}

export interface InPlaceIo {
  memory: EcuMemory;
  store: InPlaceStore;
  /** Waits the configured erase time of one sector (the bootloader answers 0x78 meanwhile). */
  eraseDelay: () => Promise<void>;
  /** After each sector erase: where the silent-erase fault cuts the power. */
  sectorErased: () => void;
}

function regionOf(memory: EcuMemory, regionIndex: number): FlashRegion {
  const region = memory.ecu.flash.regions[regionIndex];
  if (!region) throw new InPlaceRefusedError(`no flash region ${regionIndex}`);
  return region;
}

/** Everything checked before a byte changes; throws InPlaceRefusedError. */
function validated(memory: EcuMemory, regionIndex: number, bytes: Uint8Array): InPlacePatch {
  const region = regionOf(memory, regionIndex);
  let patch: InPlacePatch;
  try {
    patch = readInPlacePatch(bytes);
    checkInPlaceOrder(patch);
  } catch (err) {
    throw new InPlaceRefusedError(`in-place patch refused: ${(err as Error).message}`, { cause: err });
  }
  if (patch.length !== region.size || patch.segmentSize % memory.ecu.flash.sectorSize !== 0) {
    throw new InPlaceRefusedError(
      `in-place patch for ${patch.length} bytes in segments of ${patch.segmentSize}: the region holds ${region.size} in sectors of ${memory.ecu.flash.sectorSize}`,
    );
  }
  const current = sha256(memory.bank(BANK).readRegion(regionIndex));
  if (Buffer.compare(current, patch.baseSha256) !== 0) {
    throw new InPlaceRefusedError('the in-place patch was made for another image than the one in flash');
  }
  return patch;
}

/** Why a RequestDownload of `range` cannot carry an in-place patch, or null when it can. */
export function inPlaceDownloadRefusal(memory: EcuMemory, range: { address: number; size: number }): string | null {
  if (memory.dualBank) return 'a dual-bank ECU rebuilds into its inactive bank: use the delta method';
  const whole = memory.ecu.flash.regions.some((r) => r.address === range.address && r.size === range.size);
  return whole ? null : 'an in-place patch rewrites a whole region';
}

/** Validates the patch, invalidates the region, persists the patch and applies it. */
export async function startInPlaceUpdate(io: InPlaceIo, regionIndex: number, bytes: Uint8Array): Promise<boolean> {
  const patch = validated(io.memory, regionIndex, bytes);
  io.memory.update((s) => (s.signatures[BANK][regionIndex] = null));
  io.store.begin(regionIndex, bytes);
  return applySteps(io, { regionIndex, patch: bytes, step: 0, scratch: null }, patch);
}

/** At power-on: finishes an update a power cut interrupted; false when none was under way. */
export async function resumeInPlaceUpdate(io: InPlaceIo): Promise<boolean> {
  const progress = io.store.load();
  if (!progress) return false;
  // The signature was dropped before the record was written: the application cannot have started from here.
  return applySteps(io, progress, readInPlacePatch(progress.patch));
}

/** Runs the steps from the record on; true when the region now holds the patch's target. */
async function applySteps(io: InPlaceIo, progress: InPlaceProgress, patch: InPlacePatch): Promise<boolean> {
  const region = regionOf(io.memory, progress.regionIndex);
  const flash = io.memory.bank(BANK);
  const readOld = (segment: number): Uint8Array => {
    const [start, end] = segmentBounds(patch, segment);
    return flash.read(region.address + start, end - start);
  };
  const sectorSize = io.memory.ecu.flash.sectorSize;
  for (let step = progress.step; step < patch.steps.length; step++) {
    const current = patch.steps[step]!;
    let content = step === progress.step ? progress.scratch : null;
    if (content === null) {
      try {
        content = rebuildSegment(patch, current, readOld);
      } catch (err) {
        if (!(err instanceof DeltaError)) throw err;
        io.store.finish(); // a patch that does not rebuild is abandoned: the region stays unsigned
        return false;
      }
      io.store.stage(step, content);
    }
    const [start] = segmentBounds(patch, current.segment);
    for (let offset = 0; offset < content.length; offset += sectorSize) {
      await io.eraseDelay();
      await flash.eraseSector(region.address + start + offset);
      io.sectorErased();
    }
    await flash.program(region.address + start, content);
  }
  const done = Buffer.compare(sha256(flash.readRegion(progress.regionIndex)), patch.targetSha256) === 0;
  io.store.finish();
  return done;
}
