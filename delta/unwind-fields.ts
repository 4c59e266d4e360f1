// Unwind tables hold one PC-relative pointer per function: .eh_frame (each FDE's pc_begin,
// relative to itself), .eh_frame_hdr (its sorted search table, relative to the section) and, on
// 32-bit ARM, .ARM.exidx (a prel31 offset per entry). When a rebuild moves functions, these change
// just like call displacements. With a reference map, the base image's fields are predicted
// rather than copied: the old target is moved through the map and made relative again to where
// the field lands in the new image. The fields are found in the base image alone (its section
// headers), which both the encoder and the decoder hold; sections whose address is not their
// file offset are left alone, so file offsets and addresses can be mixed safely.

const FieldKind = {
  /** int32, relative to its own position (eh_frame pc_begin, pcrel|sdata4). */
  Self: 0,
  /** int32, relative to the start of .eh_frame_hdr (datarel|sdata4). */
  Section: 1,
  /** prel31 in the low 31 bits, relative to its own position (ARM exidx). */
  Prel31: 2,
  /** uint32, its own position minus the target (an FDE's CIE pointer). */
  Back: 3,
} as const;
type FieldKind = (typeof FieldKind)[keyof typeof FieldKind];

/** The fields of one image, sorted by position. */
export interface UnwindFields {
  readonly positions: Uint32Array;
  readonly kinds: Uint8Array;
  /** What a Section field is relative to (per field; its own position for the others). */
  readonly anchors: Uint32Array;
}

interface Section {
  readonly name: string;
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}

const SHT_ARM_EXIDX = 0x7000_0001;
const PCREL_SDATA4 = 0x1b;

export function findUnwindFields(image: Uint8Array): UnwindFields {
  const found: [number, FieldKind, number][] = [];
  for (const s of sections(image)) {
    if (s.name === '.eh_frame') ehFrameFields(image, s, found);
    else if (s.name === '.eh_frame_hdr') ehHeaderFields(image, s, found);
    else if (s.type === SHT_ARM_EXIDX) {
      for (let p = s.offset; p + 8 <= s.offset + s.size; p += 8) found.push([p, FieldKind.Prel31, p]);
    }
  }
  found.sort((a, b) => a[0] - b[0]);
  return {
    positions: Uint32Array.from(found, (f) => f[0]),
    kinds: Uint8Array.from(found, (f) => f[1]),
    anchors: Uint32Array.from(found, (f) => f[2]),
  };
}

/** Sections of a little-endian ELF image whose address equals their file offset; [] for anything else. */
function sections(image: Uint8Array): Section[] {
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (image.length < 52 || v.getUint32(0) !== 0x7f454c46 || image[5] !== 1) return [];
  const wide = image[4] === 2;
  if (wide && image.length < 64) return [];
  const word = (at: number): number => (wide ? Number(v.getBigUint64(at, true)) : v.getUint32(at, true));
  const shoff = word(wide ? 0x28 : 0x20);
  const [entSize, count, strIndex] = [0, 2, 4].map((d) => v.getUint16((wide ? 0x3a : 0x2e) + d, true)) as [
    number,
    number,
    number,
  ];
  if (entSize < (wide ? 64 : 40) || shoff + entSize * count > image.length || strIndex >= count) return [];
  const header = (i: number): Section & { nameAt: number; addr: number } => {
    const at = shoff + i * entSize;
    const f = wide ? [16, 24, 32] : [12, 16, 20];
    const [addr, offset, size] = f.map((d) => word(at + d)) as [number, number, number];
    return { name: '', nameAt: v.getUint32(at, true), type: v.getUint32(at + 4, true), addr, offset, size };
  };
  const names = header(strIndex);
  const out: Section[] = [];
  for (let i = 0; i < count; i++) {
    const h = header(i);
    if (h.addr !== h.offset || h.offset + h.size > image.length || h.size === 0) continue;
    out.push({ ...h, name: cString(image, names.offset + h.nameAt, names.offset + names.size) });
  }
  return out;
}

function cString(image: Uint8Array, from: number, limit: number): string {
  let end = from;
  while (end < Math.min(limit, image.length) && image[end] !== 0) end++;
  return Buffer.from(image.buffer, image.byteOffset + from, Math.max(0, end - from)).toString('latin1');
}

/** FDE pc_begin fields of .eh_frame whose CIE declares pcrel|sdata4 pointers. */
function ehFrameFields(image: Uint8Array, s: Section, found: [number, FieldKind, number][]): void {
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const encodings = new Map<number, number>();
  const end = s.offset + s.size;
  for (let p = s.offset; p + 8 <= end;) {
    const length = v.getUint32(p, true);
    if (length === 0 || length === 0xffff_ffff || p + 4 + length > end) return;
    const id = v.getUint32(p + 4, true);
    if (id === 0) encodings.set(p, cieEncoding(image, p + 8, p + 4 + length));
    else if (encodings.get(p + 4 - id) === PCREL_SDATA4 && p + 12 <= end) {
      found.push([p + 4, FieldKind.Back, p + 4], [p + 8, FieldKind.Self, p + 8]);
    }
    p += 4 + length;
  }
}

/** The FDE pointer encoding a CIE declares ('R' in a "z" augmentation), or -1. */
function cieEncoding(image: Uint8Array, from: number, end: number): number {
  let p = from + 1; // version
  const aug = cString(image, p, end);
  p += aug.length + 1;
  if (!aug.startsWith('z')) return -1;
  const leb = (): void => {
    while (p < end && image[p]! & 0x80) p++;
    p++;
  };
  leb(); // code alignment
  leb(); // data alignment
  if (image[from] === 1) p++;
  else leb(); // return address register
  leb(); // augmentation data length
  for (const c of aug.slice(1)) {
    if (p >= end) return -1;
    if (c === 'R') return image[p]!;
    if (c === 'L') p++;
    else if (c === 'P') {
      const enc = image[p++]!;
      const size = [0, 0, 2, 4, 8][enc & 7];
      if (!size) return -1;
      p += size;
    } else return -1;
  }
  return -1;
}

/** The initial-location column of .eh_frame_hdr's search table (version 1, the usual encodings). */
function ehHeaderFields(image: Uint8Array, s: Section, found: [number, FieldKind, number][]): void {
  const h = s.offset;
  if (s.size < 12 || image[h] !== 1 || image[h + 1] !== 0x1b || image[h + 2] !== 0x03 || image[h + 3] !== 0x3b) return;
  const count = new DataView(image.buffer, image.byteOffset, image.byteLength).getUint32(h + 8, true);
  found.push([h + 4, FieldKind.Self, h + 4]);
  for (let i = 0; i < count && h + 12 + 8 * i + 8 <= h + s.size; i++) {
    found.push([h + 12 + 8 * i, FieldKind.Section, h], [h + 16 + 8 * i, FieldKind.Section, h]);
  }
}

/**
 * Overwrites the fields inside buf[0..length) (buf[0] is base position `start`; `shift` = output
 * position - base position) with their predictions; `moveTarget` moves an old target offset to
 * the new image.
 */
export function predictFields(
  fields: UnwindFields,
  image: Uint8Array,
  buf: Uint8Array,
  start: number,
  length: number,
  shift: number,
  moveTarget: (target: number) => number,
): void {
  const { positions, kinds, anchors } = fields;
  let lo = 0;
  let hi = positions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (positions[mid]! + 4 <= start) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo; k < positions.length && positions[k]! < start + length; k++) {
    const p = positions[k]!;
    const word = (image[p]! | (image[p + 1]! << 8) | (image[p + 2]! << 16) | (image[p + 3]! << 24)) >>> 0;
    let value: number;
    if (kinds[k] === FieldKind.Back) {
      value = (p + shift - moveTarget(p - word)) >>> 0;
    } else if (kinds[k] === FieldKind.Prel31) {
      const target = p + ((word << 1) >> 1);
      value = ((word & 0x8000_0000) | ((moveTarget(target) - (p + shift)) & 0x7fff_ffff)) >>> 0;
    } else {
      const anchor = anchors[k]!;
      value = (moveTarget(anchor + (word | 0)) - (anchor + shift)) >>> 0;
    }
    for (let b = 0; b < 4; b++) {
      const at = p + b - start;
      if (at >= 0 && at < length) buf[at] = value >>> (8 * b);
    }
  }
}
