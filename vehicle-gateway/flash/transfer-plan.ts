// How a region gets programmed: the whole region, a compressed or delta stream, or only the sectors that
// change (flash-protocol.md "Beyond full reflashing"). Pure planning; flash-ecu.ts executes the plan.
import { brotliCompressSync, constants as zlibConstants } from 'node:zlib';
import { encode as encodeDelta } from '@ota/delta';
import type { FlashLayout } from '@ota/uds/vehicle';
import { inPlacePlan } from './in-place-plan.ts';

export type TransferMode = 'auto' | 'full' | 'compressed' | 'sector-diff';

/** One step of programming a region. Addresses are absolute. */
export type RegionOp =
  | { kind: 'erase'; address: number; size: number }
  | { kind: 'copy'; address: number; size: number }
  | { kind: 'download'; address: number; size: number; dataFormatIdentifier: number; payload: Uint8Array };

/** A range of whole sectors. */
export interface SectorRange {
  address: number;
  size: number;
}

export interface RegionPlan {
  method: 'full' | 'compressed' | 'delta' | 'in-place' | 'sector-diff';
  ops: RegionOp[];
  /** Inactive-bank sectors a read-while-write ECU erases (0207) before the programming session, its application
   * still running; empty for every other ECU. */
  background: SectorRange[];
}

/** Builds the ECU-side delta for a region; the gateway passes its cache (prepared at download time). */
export type DeltaEncoder = (current: Uint8Array, target: Uint8Array) => Uint8Array;

/** What the plan may rely on beyond the layout. */
export interface PlanOptions {
  /** Where ECU-side deltas come from; encoded on the spot when absent. */
  encodeDelta?: DeltaEncoder;
  /** The ECU reported eraseOnWrite (F1A2): a compressed download into its inactive bank needs no erase first. */
  eraseOnWrite?: boolean;
  /** The ECU reported backgroundErase (F1A2): it erases its inactive bank while the application runs. */
  backgroundErase?: boolean;
  /** The single-bank ECU reported inPlaceDelta (F1A2): where its in-place patches come from (in-place-plan.ts). */
  encodeInPlace?: DeltaEncoder;
}

const encodeNow: DeltaEncoder = (current, target) => encodeDelta(current, target, { quality: 9 });

export class TransferPlanError extends Error {
  override readonly name = 'TransferPlanError';
}

/** Compression methods the gateway can produce, by the name the ECU declares. */
const DELTA_NAME = 'delta';
const BROTLI_NAME = 'brotli';

function methodId(layout: FlashLayout, name: string): number | null {
  return layout.compressionMethods.find((m) => m.name === name)?.id ?? null;
}

/** Runs of consecutive sectors, as [start, end) byte offsets within the region, where `changed` holds. */
export function sectorRuns(
  current: Uint8Array,
  next: Uint8Array,
  sectorSize: number,
  changed: boolean,
): { offset: number; size: number }[] {
  const runs: { offset: number; size: number }[] = [];
  for (let offset = 0; offset < next.length; offset += sectorSize) {
    const end = Math.min(offset + sectorSize, next.length);
    const differs = Buffer.compare(current.subarray(offset, end), next.subarray(offset, end)) !== 0;
    if (differs !== changed) continue;
    const last = runs.at(-1);
    if (last && last.offset + last.size === offset) last.size += end - offset;
    else runs.push({ offset, size: end - offset });
  }
  return runs;
}

/** The gaps between sorted, non-overlapping runs within [0, length). */
export function complementRuns(
  runs: readonly { offset: number; size: number }[],
  length: number,
): { offset: number; size: number }[] {
  const gaps: { offset: number; size: number }[] = [];
  let at = 0;
  for (const r of runs) {
    if (r.offset > at) gaps.push({ offset: at, size: r.offset - at });
    at = r.offset + r.size;
  }
  if (at < length) gaps.push({ offset: at, size: length - at });
  return gaps;
}

function fullPlan(address: number, data: Uint8Array): RegionPlan {
  return {
    method: 'full',
    ops: [
      { kind: 'erase', address, size: data.length },
      { kind: 'download', address, size: data.length, dataFormatIdentifier: 0x00, payload: data },
    ],
    background: [],
  };
}

function sectorDiffPlan(layout: FlashLayout, address: number, current: Uint8Array, data: Uint8Array): RegionPlan {
  const differing = sectorRuns(current, data, layout.sectorSize, true);
  // Reprogramming an identical image still rewrites one sector: checkMemory verifies what was just programmed.
  const changed = differing.length > 0 ? differing : [{ offset: 0, size: Math.min(layout.sectorSize, data.length) }];
  const download = (r: { offset: number; size: number }): RegionOp => ({
    kind: 'download',
    address: address + r.offset,
    size: r.size,
    dataFormatIdentifier: 0x00,
    payload: data.subarray(r.offset, r.offset + r.size),
  });
  if (layout.banks === 'single') {
    // In place: only the changed sectors are erased and written; the others keep their content.
    return {
      method: 'sector-diff',
      ops: changed.flatMap((r): RegionOp[] => [
        { kind: 'erase', address: address + r.offset, size: r.size },
        download(r),
      ]),
      background: [],
    };
  }
  // Dual bank: the inactive bank is erased, unchanged sectors are copied from the active bank on the ECU.
  const unchanged = complementRuns(changed, data.length);
  return {
    method: 'sector-diff',
    ops: [
      { kind: 'erase', address, size: data.length },
      ...unchanged.map((r): RegionOp => ({ kind: 'copy', address: address + r.offset, size: r.size })),
      ...changed.map(download),
    ],
    background: [],
  };
}

function compressedPlan(
  layout: FlashLayout,
  address: number,
  current: Uint8Array | null,
  data: Uint8Array,
  options: PlanOptions,
): RegionPlan | null {
  // A dual-bank ECU rebuilds into its inactive bank: erased first, or by the ECU sector by sector (eraseOnWrite).
  // A single-bank ECU patches a delta in place (it erases what it rewrites); a brotli image needs the erase.
  // A single-bank ECU that resumes an interrupted in-place patch gets one rather than a plain delta.
  const inPlace = options.encodeInPlace ? inPlacePlan(layout, address, current, data, options.encodeInPlace) : null;
  if (inPlace) return inPlace;
  const eraseOp: RegionOp = { kind: 'erase', address, size: data.length };
  const dualErase: RegionOp[] = options.eraseOnWrite ? [] : [eraseOp];
  const erase = (delta: boolean): RegionOp[] => (layout.banks === 'dual' ? dualErase : delta ? [] : [eraseOp]);
  const delta = methodId(layout, DELTA_NAME);
  if (delta !== null && current !== null && current.length === data.length) {
    const payload = (options.encodeDelta ?? encodeNow)(current, data);
    return {
      method: 'delta',
      ops: [
        ...erase(true),
        { kind: 'download', address, size: data.length, dataFormatIdentifier: delta << 4, payload },
      ],
      background: [],
    };
  }
  const brotli = methodId(layout, BROTLI_NAME);
  if (brotli !== null) {
    const payload = new Uint8Array(
      brotliCompressSync(data, {
        params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: data.length },
      }),
    );
    return {
      method: 'compressed',
      ops: [
        ...erase(false),
        { kind: 'download', address, size: data.length, dataFormatIdentifier: brotli << 4, payload },
      ],
      background: [],
    };
  }
  return null;
}

/** What to do instead when the ECU refuses a compressed RequestDownload: erase and write the whole region. */
export function fullRegionOps(address: number, data: Uint8Array): RegionOp[] {
  return fullPlan(address, data).ops;
}

/**
 * Plans one region. `current` is the region's content on the ECU when the gateway knows it (its cached copy
 * matches F1A0), else null. `auto` takes the cheapest the ECU supports; an explicit mode the ECU or the missing
 * base cannot serve is an error rather than a silent full reflash.
 */
export function planRegion(
  layout: FlashLayout,
  address: number,
  current: Uint8Array | null,
  data: Uint8Array,
  mode: TransferMode,
  options: PlanOptions = {},
): RegionPlan {
  const plan = choosePlan(layout, address, current, data, mode, options);
  return layout.banks === 'dual' && options.backgroundErase
    ? eraseInBackground(layout, address, current, data, plan)
    : plan;
}

/**
 * A read-while-write ECU erases before the programming session what the plan would erase in it: the whole-region
 * erase moves there; a delta rebuilt with eraseOnWrite (no erase op) gets the sectors whose target differs from
 * the active image erased ahead (the inactive bank is assumed to hold that image; where it does not, the ECU
 * still erases at `37` what it must). Both cost the same erase time, now while the application runs.
 */
function eraseInBackground(
  layout: FlashLayout,
  address: number,
  current: Uint8Array | null,
  data: Uint8Array,
  plan: RegionPlan,
): RegionPlan {
  const whole = (op: RegionOp) => op.kind === 'erase' && op.address === address && op.size === data.length;
  if (plan.ops.some(whole)) {
    return { ...plan, ops: plan.ops.filter((op) => !whole(op)), background: [{ address, size: data.length }] };
  }
  if (plan.ops.some((op) => op.kind === 'erase')) return plan;
  const sector = layout.sectorSize;
  const differing = current === null ? [{ offset: 0, size: data.length }] : sectorRuns(current, data, sector, true);
  const background = differing.map((r) => ({
    address: address + r.offset,
    size: Math.ceil(r.size / sector) * sector,
  }));
  return { ...plan, background };
}

function choosePlan(
  layout: FlashLayout,
  address: number,
  current: Uint8Array | null,
  data: Uint8Array,
  mode: TransferMode,
  options: PlanOptions,
): RegionPlan {
  if (mode === 'full') return fullPlan(address, data);
  if (mode === 'sector-diff') {
    if (current === null || current.length !== data.length) {
      throw new TransferPlanError(
        "sector-differential programming needs the ECU's current image, which the gateway does not have",
      );
    }
    return sectorDiffPlan(layout, address, current, data);
  }
  const compressed = compressedPlan(layout, address, current, data, options);
  if (mode === 'compressed') {
    if (!compressed) {
      throw new TransferPlanError(
        `the ECU declares no compression method the gateway can use (${layout.compressionMethods.map((m) => m.name).join(', ')}), or its current image is unknown`,
      );
    }
    return compressed;
  }
  const candidates: RegionPlan[] = [fullPlan(address, data)];
  if (compressed) candidates.push(compressed);
  if (current !== null && current.length === data.length)
    candidates.push(sectorDiffPlan(layout, address, current, data));
  return candidates.reduce((best, p) => (planBusBytes(p) < planBusBytes(best) ? p : best));
}

/** Bytes the plan puts into TransferData (what dominates bus time). */
export function planBusBytes(plan: RegionPlan): number {
  return plan.ops.reduce((n, op) => n + (op.kind === 'download' ? op.payload.length : 0), 0);
}
