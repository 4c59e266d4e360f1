// Replaying a recorded LZMA parse gives the compressed stream back byte for byte, for 7-Zip's and
// liblzma's encoders alike, and a parse or stream that does not fit is refused with a DeltaError.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Packet, ParseReader, ParseWriter } from './lzma-parse.ts';
import type { ParsedPacket } from './lzma-parse.ts';
import { decompressRecording, replayLzma } from './lzma-replay.ts';
import { lzmaDecode, lzmaEncode } from './seven-zip.ts';
import type { LzmaEncoderSettings } from './seven-zip.ts';
import { codeOf, EDK2_LZMA, lzmaAlone, volume } from './testing/index.ts';

/** An "LZMA alone" section of `raw` with a 1 MiB dictionary. */
function section(raw: Uint8Array, p: { lc: number; lp: number; pb: number }, stream: Uint8Array): Uint8Array {
  return lzmaAlone(stream, { ...p, dictSize: 1 << 20 }, raw.length);
}

/** Records `stream`'s parse and replays it: the bytes must come back. */
function roundTrip(raw: Uint8Array, stream: Uint8Array, p: { lc: number; lp: number; pb: number }): void {
  const recorded = decompressRecording(section(raw, p, stream));
  expect(Buffer.from(recorded.raw).equals(raw)).toBe(true);
  const again = new Uint8Array(stream.length);
  replayLzma(recorded.header, recorded.raw, recorded.parse, again);
  expect(Buffer.from(again).equals(stream)).toBe(true);
}

const zeros = new Uint8Array(200_000);
const noise = randomBytes(100_000);
const mixed = Buffer.concat([volume(150_000, 3), noise.subarray(0, 20_000), zeros.subarray(0, 30_000)]);

describe('LZMA parse replay', () => {
  const settings: [string, LzmaEncoderSettings][] = [
    ['EDK2 defaults', EDK2_LZMA],
    ['fb 273, lc 0 lp 2 pb 0', { ...EDK2_LZMA, fb: 273, lc: 0, lp: 2, pb: 0 }],
    ['fb 8, mc 4, lc 4 pb 4', { ...EDK2_LZMA, fb: 8, mc: 4, lc: 4, lp: 0, pb: 4 }],
  ];
  for (const [name, s] of settings) {
    it(`gives back 7-Zip's stream byte for byte (${name})`, async () => {
      for (const raw of [mixed, zeros, noise]) roundTrip(raw, await lzmaEncode(raw, s), s);
    });
  }

  it("gives back liblzma's stream, end marker included", () => {
    for (const [opts, p] of [
      ['preset=6,lc=3,lp=0,pb=2', { lc: 3, lp: 0, pb: 2 }],
      ['preset=9e,lc=1,lp=1,pb=1', { lc: 1, lp: 1, pb: 1 }],
      ['preset=1,mf=hc3,lc=4,lp=0,pb=4', { lc: 4, lp: 0, pb: 4 }],
    ] as const) {
      const stream = execFileSync('xz', ['--format=raw', `--lzma1=${opts}`, '-c'], { input: mixed });
      roundTrip(mixed, stream, p);
      const { parse } = decompressRecording(section(mixed, p, stream));
      expect(lastPacket(parse)).toMatchObject({ kind: Packet.Match, dist: 0xffff_ffff });
    }
  });

  it('decompresses what 7-Zip decompresses', async () => {
    const full = section(mixed, EDK2_LZMA, await lzmaEncode(mixed, EDK2_LZMA));
    expect(Buffer.from(decompressRecording(full).raw).equals(await lzmaDecode(full))).toBe(true);
  });
});

describe('LZMA streams and parses that do not fit', async () => {
  const stream = await lzmaEncode(mixed, EDK2_LZMA);
  const good = section(mixed, EDK2_LZMA, stream);
  const { header, raw, parse } = decompressRecording(good);

  it('refuses a cut, wrongly started or overlong stream', async () => {
    expect(await codeOf(() => decompressRecording(good.subarray(0, good.length - 200)))).toBe('corrupt');
    const started = Uint8Array.from(good);
    started[13] = 1;
    expect(await codeOf(() => decompressRecording(started))).toBe('corrupt');
    // The same stream declared one byte shorter holds data beyond its size.
    const shorter = Uint8Array.from(good);
    new DataView(shorter.buffer).setBigUint64(5, BigInt(mixed.length - 1), true);
    expect(await codeOf(() => decompressRecording(shorter))).toBe('corrupt');
    // A header declaring 4 GiB over 20 bytes of stream is refused before anything is allocated.
    const huge = Uint8Array.from(good.subarray(0, 33));
    new DataView(huge.buffer).setBigUint64(5, 0xffff_ffffn, true);
    expect(() => decompressRecording(huge)).toThrow('more than its 20-byte stream can hold');
  });

  it('refuses a replay into a stream of another length', async () => {
    expect(await codeOf(() => replayLzma(header, raw, parse, new Uint8Array(stream.length - 1)))).toBe(
      'result_mismatch',
    );
    expect(await codeOf(() => replayLzma(header, raw, parse, new Uint8Array(stream.length + 1)))).toBe(
      'result_mismatch',
    );
  });

  it('refuses a parse that does not cover its data, or reaches outside it', async () => {
    const short = new Uint8Array(4);
    const replay = (p: Uint8Array): Promise<string> => codeOf(() => replayLzma(header, short, p, new Uint8Array(64)));
    const cut = parse.subarray(0, parse.length - 1); // covers too little
    expect(await codeOf(() => replayLzma(header, raw, cut, new Uint8Array(stream.length)))).toBe('corrupt');
    expect(await replay(written((w) => w.match(2, 0)))).toBe('corrupt'); // a match before any data
    expect(await replay(written((w) => (w.literal(), w.match(2, 1))))).toBe('corrupt'); // 2 bytes back at 1
    expect(await replay(written((w) => w.rep(0, 2)))).toBe('corrupt'); // a rep first
    expect(await replay(written((w) => (w.literal(), w.rep(1, 9))))).toBe('corrupt'); // past the 4 bytes
    expect(await replay(Uint8Array.of(0xe0))).toBe('corrupt'); // kind 7
    expect(await replay(Uint8Array.of(0xc1))).toBe('corrupt'); // a short rep with length bits
    expect(await replay(written((w) => (w.literal(), w.match(2, 0xffff_ffff), w.literal())))).toBe('corrupt');
  });
});

describe('the parse format', () => {
  it('reads back runs, long lengths and large distances', () => {
    const w = new ParseWriter(1);
    for (let i = 0; i < 70; i++) w.literal();
    w.match(273, 0xffff_fffe);
    w.match(33, 0);
    w.rep(3, 32);
    w.shortRep();
    w.literal();
    const seen: string[] = [];
    const r = new ParseReader(w.finish());
    while (r.next()) seen.push(describePacket(r.packet));
    expect(seen).toEqual(['L32', 'L32', 'L6', 'M273@4294967294', 'M33@0', 'R3:32', 'S', 'L1']);
  });
});

function written(build: (w: ParseWriter) => unknown): Uint8Array {
  const w = new ParseWriter(16);
  build(w);
  return w.finish();
}

function lastPacket(parse: Uint8Array): ParsedPacket {
  const r = new ParseReader(parse);
  let last: ParsedPacket | undefined;
  while (r.next()) last = { ...r.packet };
  return last!;
}

function describePacket(p: ParsedPacket): string {
  if (p.kind === Packet.Literals) return `L${p.count}`;
  if (p.kind === Packet.Match) return `M${p.len}@${p.dist}`;
  if (p.kind === Packet.ShortRep) return 'S';
  return `R${p.kind - Packet.Rep0}:${p.len}`;
}
