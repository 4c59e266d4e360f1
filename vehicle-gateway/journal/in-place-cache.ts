// In-place patches for single-bank ECUs (flash/in-place-plan.ts) in the ECU-side delta cache: the same files
// and lifetime as the dual-bank deltas, keyed by their own profile (which names the segment size, so an ECU
// with another sector layout gets its own patch).
import type { FlashLayout } from '@ota/uds/vehicle';
import { inPlaceEncoderFor, inPlaceSegmentSize } from '../flash/in-place-plan.ts';
import { ecuDeltaCacheBeside, EcuDeltaCache, type EcuDeltaKind } from './ecu-delta-cache.ts';
import type { ImageStore } from './image-store.ts';

export function inPlaceDeltaKind(layout: FlashLayout): EcuDeltaKind {
  return { profile: `in-place-v1-q9-s${inPlaceSegmentSize(layout)}`, encode: inPlaceEncoderFor(layout) };
}

export function inPlaceCacheBeside(images: ImageStore, layout: FlashLayout): EcuDeltaCache {
  return ecuDeltaCacheBeside(images, inPlaceDeltaKind(layout));
}

export function inPlaceCache(dir: string, layout: FlashLayout): EcuDeltaCache {
  return new EcuDeltaCache(dir, inPlaceDeltaKind(layout));
}
