// Code transforms: before matching, the encoder rewrites the PC-relative displacement of every call
// in both images as an absolute target (the idea of xz's BCJ filters and of Courgette's address
// normalisation). When a rebuild moves a function, every call to it from code that moved by a
// different amount changes its relative displacement, but the absolute target changes the same way
// everywhere, and calls into code that did not move stop changing at all.
//
// A transform is local and depends only on a byte's file position: each instruction is found by
// opcode bits that the transform leaves alone, so the inverse finds exactly the same instructions.
// That lets the decoder undo it on the output stream with a few bytes of look-ahead (Untransform).
//
//   arm64:  BL (bits 31..26 = 100101), imm26 words, at 4-aligned offsets; and ADRP
//           (bit 31 = 1, bits 28..24 = 10000), 21-bit page displacement immhi:immlo.
//   thumb2: 32-bit BL / BLX (first halfword 11110 S imm10, second halfword 11 J1 x J2 imm11 with
//           J1 = J2 = 1, i.e. targets within ±4 MiB), at 2-aligned offsets; the 22-bit field
//           imm10:imm11 (with S folded in) counts halfwords.

import { mapValue } from './ref-map.ts';
import type { FieldReader, RefMap } from './ref-map.ts';
import { findUnwindFields, predictFields } from './unwind-fields.ts';
import type { UnwindFields } from './unwind-fields.ts';

export const TRANSFORMS = { none: 0, arm64: 1, thumb2: 2 } as const;
export type CodeTransform = keyof typeof TRANSFORMS;

type Direction = 1 | -1;

/** ELF e_machine values that pick a transform worth trying. */
const ELF_MACHINES: ReadonlyMap<number, CodeTransform> = new Map([
  [183, 'arm64'], // EM_AARCH64
  [40, 'thumb2'], // EM_ARM (Debian armhf builds Thumb-2)
]);

/** The transform that an ELF image's machine suggests, or 'none' for anything else. */
export function transformFor(image: Uint8Array): CodeTransform {
  const isElf = image[0] === 0x7f && image[1] === 0x45 && image[2] === 0x4c && image[3] === 0x46;
  if (!isElf || image.length < 20 || image[5] !== 1) return 'none'; // little-endian ELF only
  return ELF_MACHINES.get(image[18]! | (image[19]! << 8)) ?? 'none';
}

const CALL_MASK = { arm64: 0x3ff_ffff, thumb2: 0x3f_ffff } as const;
const PAGE_MASK = 0x1f_ffff;

/**
 * A transformed copy of `image` (position 0 = file offset 0); `image` itself for 'none'. With a
 * reference map, the absolute targets are then moved through it (see ref-map.ts).
 */
export function applyTransform(image: Uint8Array, transform: CodeTransform, map?: RefMap): Uint8Array {
  if (transform === 'none') return image;
  const out = Uint8Array.from(image);
  convert(out, 0, out.length, 0, transform, 1, map);
  return out;
}

/** Reads the reference fields of a transformed image, for learning a reference map. */
export function fieldReader(transform: CodeTransform): FieldReader {
  if (transform === 'arm64') {
    return (img, i) => {
      if ((i & 3) !== 0 || i + 4 > img.length) return undefined;
      const top = img[i + 3]!;
      const low = img[i]! | (img[i + 1]! << 8) | (img[i + 2]! << 16);
      if ((top & 0xfc) === 0x94) return { kind: 'calls', value: low + (top & 3) * 0x100_0000, size: 4 };
      if ((top & 0x9f) !== 0x90) return undefined;
      return { kind: 'pages', value: ((low >>> 5) << 2) | ((top >>> 5) & 3), size: 4 };
    };
  }
  return (img, i) => {
    if ((i & 1) !== 0 || i + 4 > img.length || !isThumbCall(img, i)) return undefined;
    return { kind: 'calls', value: thumbField(img, i), size: 4 };
  };
}

/** Undoes `transform` on a whole image, in place. */
export function removeTransform(image: Uint8Array, transform: CodeTransform): void {
  convert(image, 0, image.length, 0, transform, -1);
}

/**
 * Converts, in place, every instruction that lies wholly inside buf[from..to), where buf[0] is at
 * file position `base`; returns the first offset from which an instruction might still start but
 * was not complete (the caller keeps those bytes for the next call).
 */
function convert(
  buf: Uint8Array,
  from: number,
  to: number,
  base: number,
  t: CodeTransform,
  dir: Direction,
  map?: RefMap,
): number {
  if (t === 'arm64') return convertArm64(buf, from, to, base, dir, map);
  if (t === 'thumb2') return convertThumb2(buf, from, to, base, dir, map);
  return to;
}

/** `map` (forward direction only) moves each converted target through the reference map. */
function convertArm64(buf: Uint8Array, from: number, to: number, base: number, dir: Direction, map?: RefMap): number {
  let i = from + ((4 - ((base + from) & 3)) & 3);
  for (; i + 4 <= to; i += 4) {
    const top = buf[i + 3]!;
    const pos = base + i;
    if ((top & 0xfc) === 0x94) {
      const w = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | ((top & 3) << 24);
      const absolute = (w + dir * (pos >>> 2)) & CALL_MASK.arm64;
      const v = map ? mapValue(map.calls, absolute, CALL_MASK.arm64) : absolute;
      buf[i] = v;
      buf[i + 1] = v >>> 8;
      buf[i + 2] = v >>> 16;
      buf[i + 3] = (top & 0xfc) | (v >>> 24);
    } else if ((top & 0x9f) === 0x90) {
      const w = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (top << 24);
      const imm = (((w >>> 5) & 0x7_ffff) << 2) | ((w >>> 29) & 3);
      const absolute = (imm + dir * Math.floor(pos / 4096)) & PAGE_MASK;
      const v = map ? mapValue(map.pages, absolute, PAGE_MASK) : absolute;
      const out = ((w & 0x9f00_001f) | ((v & 3) << 29) | ((v >>> 2) << 5)) >>> 0;
      buf[i] = out;
      buf[i + 1] = out >>> 8;
      buf[i + 2] = out >>> 16;
      buf[i + 3] = out >>> 24;
    }
  }
  return Math.min(i, to);
}

function convertThumb2(buf: Uint8Array, from: number, to: number, base: number, dir: Direction, map?: RefMap): number {
  let i = from + ((base + from) & 1);
  while (i + 4 <= to) {
    if (isThumbCall(buf, i)) {
      convertThumbCall(buf, i, base + i, dir, map);
      i += 4;
    } else {
      i += 2;
    }
  }
  return Math.min(i, to);
}

function isThumbCall(buf: Uint8Array, i: number): boolean {
  return (buf[i + 1]! & 0xf8) === 0xf0 && (buf[i + 3]! & 0xe8) === 0xe8;
}

function thumbField(buf: Uint8Array, i: number): number {
  return ((buf[i + 1]! & 7) << 19) | (buf[i]! << 11) | ((buf[i + 3]! & 7) << 8) | buf[i + 2]!;
}

/** Converts the Thumb-2 call at buf[i], whose file position is `pos`. */
function convertThumbCall(buf: Uint8Array, i: number, pos: number, dir: Direction, map?: RefMap): void {
  const absolute = (thumbField(buf, i) + dir * ((pos + 4) >>> 1)) & CALL_MASK.thumb2;
  const v = map ? mapValue(map.calls, absolute, CALL_MASK.thumb2) : absolute;
  buf[i + 1] = (buf[i + 1]! & 0xf8) | (v >>> 19);
  buf[i] = v >>> 11;
  buf[i + 3] = (buf[i + 3]! & 0xf8) | ((v >>> 8) & 7);
  buf[i + 2] = v;
}

/**
 * Reads ranges of a transformed image without holding a transformed copy (the base of the encoder's
 * diff and of the decoder): arm64 instructions are found by alignment alone; for Thumb-2, where an
 * instruction start depends on the scan from offset 0, one bit per halfword records where the calls
 * start (image / 16 bytes). With a reference map, unwind-table fields are predicted for where the
 * bytes land in the new image (unwind-fields.ts).
 */
export class TransformedImage {
  private readonly thumbCalls: Uint8Array | undefined;
  private readonly fields: UnwindFields | undefined;
  private readonly moveTarget: (target: number) => number;
  private scratch = new Uint8Array(0);
  /** The image as a Buffer, whose copy() fills the scratch without a view per read. */
  private readonly source: Buffer;

  constructor(
    private readonly image: Uint8Array,
    private readonly transform: CodeTransform,
    private readonly map?: RefMap,
  ) {
    if (transform === 'thumb2') this.thumbCalls = thumbCallStarts(image);
    if (map && transform !== 'none') this.fields = findUnwindFields(image);
    this.source = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
    this.moveTarget = (target) => (map ? moveTarget(transform, map, target) : target);
  }

  get length(): number {
    return this.image.length;
  }

  /**
   * Transformed bytes from..from+n (inside the image) as the base of output position `at`; a view
   * valid until the next call.
   */
  read(from: number, n: number, at: number): Uint8Array {
    if (this.transform === 'none') return this.image.subarray(from, from + n);
    // Four bytes back, aligned: any instruction or unwind field that reaches into the range.
    const start = Math.max(0, (from - 4) & ~3);
    const end = Math.min(this.image.length, from + n + 3);
    if (this.scratch.length < end - start)
      this.scratch = new Uint8Array(Math.max(end - start, 2 * this.scratch.length));
    const buf = this.scratch;
    this.source.copy(buf, 0, start, end);
    if (this.transform === 'arm64') convertArm64(buf, 0, end - start, start, 1, this.map);
    else {
      const calls = this.thumbCalls!;
      for (let s = start; s + 4 <= end; s += 2) {
        if (calls[s >>> 4]! & (1 << ((s >>> 1) & 7))) convertThumbCall(buf, s - start, s, 1, this.map);
      }
    }
    if (this.fields) {
      predictFields(this.fields, this.image, buf, start, end - start, at - from, this.moveTarget);
    }
    return buf.subarray(from - start, from - start + n);
  }
}

/** Where an old call target (a file offset) lies in the new image, by the reference map. */
function moveTarget(transform: CodeTransform, map: RefMap, target: number): number {
  if (transform === 'arm64') {
    const mask = CALL_MASK.arm64;
    return mapValue(map.calls, (target >>> 2) & mask, mask) * 4 + (target & 3);
  }
  const mask = CALL_MASK.thumb2;
  return mapValue(map.calls, (target >>> 1) & mask, mask) * 2 + (target & 1);
}

/** One bit per halfword of `image`: set where the Thumb-2 scan finds a call. */
function thumbCallStarts(image: Uint8Array): Uint8Array {
  const bits = new Uint8Array((image.length >>> 4) + 1);
  for (let i = 0; i + 4 <= image.length;) {
    if (isThumbCall(image, i)) {
      bits[i >>> 4]! |= 1 << ((i >>> 1) & 7);
      i += 4;
    } else {
      i += 2;
    }
  }
  return bits;
}

/**
 * Undoes a transform on a stream of output chunks in order: holds back at most 3 bytes (an
 * instruction that may continue in the next chunk) and releases everything before them.
 */
/** Most bytes Untransform holds back between chunks. */
export const HOLD_BACK = 3;

export class Untransform {
  private pending: Uint8Array = new Uint8Array(0);
  private position = 0;

  constructor(private readonly transform: CodeTransform) {}

  /**
   * The bytes of `chunk` (and of earlier held-back bytes) that are final; `chunk` may be modified.
   * When the caller leaves HOLD_BACK unused bytes before `chunk` in its buffer (`headroom`), the
   * held-back bytes are put there instead of copying the chunk.
   */
  push(chunk: Uint8Array, headroom = 0): Uint8Array {
    if (this.transform === 'none') return chunk;
    const held = this.pending.length;
    let buf = chunk;
    if (held > 0 && headroom >= held) {
      buf = new Uint8Array(chunk.buffer, chunk.byteOffset - held, held + chunk.length);
      buf.set(this.pending, 0);
    } else if (held > 0) buf = Buffer.concat([this.pending, chunk]);
    const done = convert(buf, 0, buf.length, this.position, this.transform, -1);
    this.pending = buf.slice(done);
    this.position += done;
    return buf.subarray(0, done);
  }

  /** The held-back tail: bytes too few to hold an instruction, passed through unchanged. */
  end(): Uint8Array {
    const rest = this.pending;
    this.pending = new Uint8Array(0);
    this.position += rest.length;
    return rest;
  }
}
