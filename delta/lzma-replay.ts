// Decompressing an LZMA "alone" stream while recording its parse, and the way back: replaying a
// parse over the decompressed data gives the compressed stream byte for byte (see lzma-model.ts).
// Replay needs neither a match finder nor a dictionary beyond the data itself, so a decoder can
// rebuild a firmware's LZMA section in the memory of its two volumes, whichever encoder made it.

import { DeltaError } from './errors.ts';
import type { LzmaHeader } from './lzma-section.ts';
import { LZMA_HEADER_LENGTH, readLzmaHeader } from './lzma-section.ts';
import type { LzmaProperties } from './lzma-model.ts';
import { END_MARKER, LzmaModel } from './lzma-model.ts';
import { Packet, ParseReader, ParseWriter } from './lzma-parse.ts';
import { RangeDecoder, RangeEncoder } from './lzma-range-coder.ts';

/** The LZMA SDK decoder's smallest dictionary. */
const MIN_DICTIONARY = 4096;
/**
 * Bytes of data one byte of LZMA stream can hold at most: a 273-byte rep costs 13 decisions, each
 * at best 0.022 bits (probability 2017/2048), so about 7,600; a header declaring more is not
 * believed (it would have the decoder allocate gigabytes for a few bytes of stream).
 */
const MAX_RATIO = 8192;

export interface RecordedLzma {
  readonly header: LzmaHeader;
  /** The decompressed data. */
  readonly raw: Uint8Array;
  /** Its parse (lzma-parse.ts). */
  readonly parse: Uint8Array;
}

/**
 * Decompresses `section` (13-byte header with the size, then the stream) and records its parse;
 * the data goes into `into` when given (it must have the declared size).
 */
export function decompressRecording(section: Uint8Array, into?: Uint8Array): RecordedLzma {
  const header = readLzmaHeader(section);
  if (!header) throw new DeltaError('corrupt', 'LZMA section has no valid 13-byte header');
  const streamLength = section.length - LZMA_HEADER_LENGTH;
  if (header.rawLength > MAX_RATIO * streamLength + MIN_DICTIONARY) {
    throw new DeltaError(
      'corrupt',
      `LZMA section declares ${header.rawLength} bytes, more than its ${streamLength}-byte stream can hold`,
    );
  }
  if (into && into.length !== header.rawLength) {
    throw new DeltaError('corrupt', `LZMA section declares ${header.rawLength} bytes, ${into.length} expected`);
  }
  const raw = into ?? new Uint8Array(header.rawLength);
  const model = new LzmaModel(header);
  const rc = new RangeDecoder(section, LZMA_HEADER_LENGTH);
  const parse = new ParseWriter(header.rawLength >>> 2);
  const dictionary = Math.max(header.dictSize, MIN_DICTIONARY);
  const reps = model.reps;
  const end = raw.length;
  let pos = 0;
  for (;;) {
    if (pos === end && rc.finished) break;
    const posState = pos & model.pbMask;
    if (model.isMatch(rc, posState, 0) === 0) {
      if (pos === end) throw beyondSize();
      const matchByte = model.state >= 7 ? raw[pos - reps[0]! - 1]! : 0;
      raw[pos] = model.literal(rc, pos, pos > 0 ? raw[pos - 1]! : 0, matchByte, 0);
      pos++;
      parse.literal();
      continue;
    }
    let len: number;
    if (model.isRep(rc, 0) === 1) {
      if (pos === 0) throw new DeltaError('corrupt', 'LZMA stream starts with a rep');
      if (pos === end) throw beyondSize();
      if (model.isRepG0(rc, 0) === 0) {
        if (model.isRep0Long(rc, posState, 0) === 0) {
          model.afterShortRep();
          raw[pos] = raw[pos - reps[0]! - 1]!;
          pos++;
          parse.shortRep();
          continue;
        }
        len = model.repLength(rc, posState, 0);
        parse.rep(0, len);
      } else {
        const which = model.isRepG1(rc, 0) === 0 ? 1 : model.isRepG2(rc, 0) === 0 ? 2 : 3;
        promoteRep(reps, which);
        len = model.repLength(rc, posState, 0);
        parse.rep(which, len);
      }
      model.afterRep();
    } else {
      reps[3] = reps[2]!;
      reps[2] = reps[1]!;
      reps[1] = reps[0]!;
      len = model.matchLength(rc, posState, 0);
      model.afterMatch();
      const dist = model.distance(rc, len, 0);
      reps[0] = dist;
      parse.match(len, dist);
      if (dist === END_MARKER) {
        if (pos !== end) throw new DeltaError('corrupt', `LZMA stream ends at ${pos} of its ${end} bytes`);
        break;
      }
      if (pos === end) throw beyondSize();
      if (dist >= pos || dist >= dictionary) {
        throw new DeltaError('corrupt', `LZMA match at ${pos} reaches ${dist + 1} bytes back`);
      }
    }
    if (pos + len > end) throw beyondSize();
    const from = pos - reps[0]! - 1;
    for (let i = 0; i < len; i++) raw[pos + i] = raw[from + i]!;
    pos += len;
  }
  return { header, raw, parse: parse.finish() };
}

/**
 * Writes the LZMA stream (no header) that `parse` codes over `raw` with properties `p` into `out`,
 * which it must fill exactly, and returns `out`: a longer or shorter stream is a `result_mismatch`,
 * a parse that does not fit the data is `corrupt`.
 */
export function replayLzma(p: LzmaProperties, raw: Uint8Array, parse: Uint8Array, out: Uint8Array): Uint8Array {
  const rc = new RangeEncoder(out);
  const model = new LzmaModel(p);
  const reps = model.reps;
  const reader = new ParseReader(parse);
  const packet = reader.packet;
  const end = raw.length;
  let pos = 0;
  let ended = false;
  while (reader.next()) {
    if (ended) throw new DeltaError('corrupt', 'LZMA parse goes on after its end marker');
    if (packet.kind === Packet.Literals) {
      if (pos + packet.count > end) throw overrun(pos + packet.count, end);
      for (const stop = pos + packet.count; pos < stop; pos++) {
        model.isMatch(rc, pos & model.pbMask, 0);
        const matchByte = model.state >= 7 ? raw[pos - reps[0]! - 1]! : 0;
        model.literal(rc, pos, pos > 0 ? raw[pos - 1]! : 0, matchByte, raw[pos]!);
      }
      continue;
    }
    const posState = pos & model.pbMask;
    model.isMatch(rc, posState, 1);
    const len = packet.kind === Packet.ShortRep ? 1 : packet.len;
    if (packet.kind === Packet.Match) {
      model.isRep(rc, 0);
      reps[3] = reps[2]!;
      reps[2] = reps[1]!;
      reps[1] = reps[0]!;
      model.matchLength(rc, posState, len);
      model.afterMatch();
      model.distance(rc, len, packet.dist);
      reps[0] = packet.dist;
      if (packet.dist === END_MARKER) {
        if (pos !== end) throw overrun(pos, end);
        ended = true;
        continue;
      }
      if (packet.dist >= pos)
        throw new DeltaError('corrupt', `LZMA parse matches ${packet.dist + 1} bytes back at ${pos}`);
    } else {
      if (pos === 0) throw new DeltaError('corrupt', 'LZMA parse starts with a rep');
      model.isRep(rc, 1);
      if (packet.kind === Packet.ShortRep) {
        model.isRepG0(rc, 0);
        model.isRep0Long(rc, posState, 0);
        model.afterShortRep();
      } else if (packet.kind === Packet.Rep0) {
        model.isRepG0(rc, 0);
        model.isRep0Long(rc, posState, 1);
        model.repLength(rc, posState, len);
        model.afterRep();
      } else {
        const which = (packet.kind - Packet.Rep0) as 1 | 2 | 3;
        model.isRepG0(rc, 1);
        model.isRepG1(rc, which === 1 ? 0 : 1);
        if (which !== 1) model.isRepG2(rc, which === 2 ? 0 : 1);
        promoteRep(reps, which);
        model.repLength(rc, posState, len);
        model.afterRep();
      }
    }
    if (pos + len > end) throw overrun(pos + len, end);
    pos += len;
  }
  if (pos !== end) throw new DeltaError('corrupt', `LZMA parse covers ${pos} of ${end} bytes`);
  const written = rc.finish();
  if (written !== out.length) {
    throw new DeltaError('result_mismatch', `replayed LZMA stream is ${written} bytes, ${out.length} declared`);
  }
  return out;
}

/** Moves rep distance `which` (1..3) to the front, as a rep of it does. */
function promoteRep(reps: number[], which: 1 | 2 | 3): void {
  const dist = reps[which]!;
  for (let i = which; i > 0; i--) reps[i] = reps[i - 1]!;
  reps[0] = dist;
}

function beyondSize(): DeltaError {
  return new DeltaError('corrupt', 'LZMA stream holds more data than its header declares');
}

function overrun(at: number, end: number): DeltaError {
  return new DeltaError('corrupt', `LZMA parse reaches byte ${at} of ${end}`);
}
