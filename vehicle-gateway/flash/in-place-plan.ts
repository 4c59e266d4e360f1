// The in-place delta for a single-bank ECU whose bootloader reported F1A2 inPlaceDelta and declares the
// "delta-in-place" compression method: one download of an in-place patch (delta/ in-place-format.ts) over the
// whole region, no eraseMemory (the bootloader erases each segment itself, after staging its new content).
import { encodeInPlace } from '@ota/delta';
import type { FlashLayout } from '@ota/uds/vehicle';
import type { DeltaEncoder, RegionPlan } from './transfer-plan.ts';

export const IN_PLACE_METHOD = 'delta-in-place';
/** Segments of about this size: fewer per-step headers than one per sector, a scratch area an ECU can spare. */
const SEGMENT_BYTES = 16 * 1024;

/** A whole number of sectors, at least one: the bootloader's scratch area holds one segment. */
export function inPlaceSegmentSize(layout: FlashLayout): number {
  return layout.sectorSize * Math.max(1, Math.floor(SEGMENT_BYTES / layout.sectorSize));
}

/** Encodes the in-place patch on the spot (when the gateway has no cache at hand). */
export function inPlaceEncoderFor(layout: FlashLayout, quality = 9): DeltaEncoder {
  const segmentSize = inPlaceSegmentSize(layout);
  return (current, target) => encodeInPlace(current, target, { segmentSize, quality });
}

/** The in-place plan, or null when the ECU or the missing base cannot take one. */
export function inPlacePlan(
  layout: FlashLayout,
  address: number,
  current: Uint8Array | null,
  data: Uint8Array,
  encode: DeltaEncoder,
): RegionPlan | null {
  const id = layout.compressionMethods.find((m) => m.name === IN_PLACE_METHOD)?.id;
  if (layout.banks !== 'single' || id === undefined || current === null || current.length !== data.length) return null;
  const payload = encode(current, data);
  return {
    method: 'in-place',
    ops: [{ kind: 'download', address, size: data.length, dataFormatIdentifier: id << 4, payload }],
    background: [],
  };
}
