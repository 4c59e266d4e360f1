// The in-place patch (format "OTIP" 1): how a single-bank ECU rebuilds a new image inside the flash that holds
// the old one. The image is cut into segments (whole flash sectors); the patch lists the changed segments in the
// order the ECU must rewrite them, each as an ordinary delta package whose base is the concatenation of the old
// content of the segments it names as sources, all of which are still unwritten when its turn comes.
//
// Layout (integers big-endian):
//   "OTIP" | version u8 | segmentSize u32 | length u32 | base SHA-256 (32) | target SHA-256 (32) | steps u32
//   per step: segment u32 | sourceCount u16 | source segments u32 x sourceCount | package length u32 | package
import { DeltaError } from './errors.ts';

export const IN_PLACE_MAGIC = 'OTIP';
export const IN_PLACE_VERSION = 1;
const HASH = 32;

/** One rewrite: target segment `segment` decoded from `pkg` against the old content of `sources`. */
export interface InPlaceStep {
  readonly segment: number;
  readonly sources: readonly number[];
  readonly pkg: Uint8Array;
}

export interface InPlacePatch {
  readonly segmentSize: number;
  readonly length: number;
  readonly baseSha256: Uint8Array;
  readonly targetSha256: Uint8Array;
  readonly steps: readonly InPlaceStep[];
}

export function writeInPlacePatch(patch: InPlacePatch): Uint8Array {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(4 + 1 + 4 + 4 + HASH + HASH + 4);
  head.write(IN_PLACE_MAGIC, 0, 'latin1');
  head.writeUInt8(IN_PLACE_VERSION, 4);
  head.writeUInt32BE(patch.segmentSize, 5);
  head.writeUInt32BE(patch.length, 9);
  head.set(patch.baseSha256, 13);
  head.set(patch.targetSha256, 13 + HASH);
  head.writeUInt32BE(patch.steps.length, 13 + 2 * HASH);
  parts.push(head);
  for (const step of patch.steps) {
    const s = Buffer.alloc(4 + 2 + 4 * step.sources.length + 4);
    s.writeUInt32BE(step.segment, 0);
    s.writeUInt16BE(step.sources.length, 4);
    step.sources.forEach((src, i) => s.writeUInt32BE(src, 6 + 4 * i));
    s.writeUInt32BE(step.pkg.length, 6 + 4 * step.sources.length);
    parts.push(s, Buffer.from(step.pkg));
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** A bounds-checked reader: a truncated or inconsistent patch is a DeltaError, never an out-of-range read. */
class Cursor {
  at = 0;
  constructor(private readonly buf: Buffer) {}
  take(n: number): Buffer {
    if (this.at + n > this.buf.length) throw new DeltaError('truncated', 'in-place patch is truncated');
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  u32(): number {
    return this.take(4).readUInt32BE(0);
  }
}

function readStep(c: Cursor, segments: number): InPlaceStep {
  const segment = c.u32();
  const sourceCount = c.take(2).readUInt16BE(0);
  const sources = Array.from({ length: sourceCount }, () => c.u32());
  if ([segment, ...sources].some((s) => s >= segments)) {
    throw new DeltaError('corrupt', `in-place step names a segment beyond the image's ${segments}`);
  }
  const pkg = new Uint8Array(c.take(c.u32()));
  return { segment, sources, pkg };
}

export function readInPlacePatch(bytes: Uint8Array): InPlacePatch {
  const c = new Cursor(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (c.take(4).toString('latin1') !== IN_PLACE_MAGIC) throw new DeltaError('corrupt', 'not an in-place patch');
  const version = c.take(1).readUInt8(0);
  if (version !== IN_PLACE_VERSION) {
    throw new DeltaError('unsupported_version', `in-place patch version ${version} is not supported`);
  }
  const segmentSize = c.u32();
  const length = c.u32();
  if (segmentSize === 0) throw new DeltaError('corrupt', 'in-place patch with segment size 0');
  const baseSha256 = new Uint8Array(c.take(HASH));
  const targetSha256 = new Uint8Array(c.take(HASH));
  const count = c.u32();
  const segments = Math.ceil(length / segmentSize);
  const steps = Array.from({ length: count }, () => readStep(c, segments));
  if (c.at !== bytes.length) throw new DeltaError('corrupt', 'bytes after the last in-place step');
  return { segmentSize, length, baseSha256, targetSha256, steps };
}

/** [start, end) of segment `index` in an image of `length` bytes. */
export function segmentBounds(patch: Pick<InPlacePatch, 'segmentSize' | 'length'>, index: number): [number, number] {
  const start = index * patch.segmentSize;
  return [start, Math.min(start + patch.segmentSize, patch.length)];
}
