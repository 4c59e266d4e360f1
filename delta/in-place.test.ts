// In-place patches: for random old/new pairs (moved, inserted, deleted and rewritten bytes) and corpus pairs,
// applying the patch to the old image in one buffer rebuilds the new one, and the step order never reads a
// segment an earlier step rewrote (checkInPlaceOrder; each step's package also names its base by SHA-256,
// so a stale read would fail to decode).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyInPlace, checkInPlaceOrder, DeltaError, encode, encodeInPlace, readInPlacePatch } from './index.ts';
import { writeInPlacePatch } from './in-place-format.ts';

const corpusDir =
  process.env.OTA_DELTA_CORPUS ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/corpus/delta');

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Code-like old image and a new one with edits that move data both ways (so segments read each other). */
function randomPair(seed: number): { old: Uint8Array; neu: Uint8Array } {
  const r = rng(seed);
  const length = 4096 * (2 + Math.floor(r() * 10)) + Math.floor(r() * 4096);
  const words = Array.from({ length: 64 }, () => Math.floor(r() * 2 ** 32));
  const old = Buffer.alloc(length);
  for (let i = 0; i + 4 <= length; i += 4) old.writeUInt32LE(words[Math.floor(r() * words.length)]!, i);
  let neu = Buffer.from(old);
  for (let edits = 1 + Math.floor(r() * 6); edits > 0; edits--) {
    const at = Math.floor(r() * neu.length);
    const n = 1 + Math.floor(r() * 3000);
    const kind = Math.floor(r() * 4);
    if (kind === 0)
      neu = Buffer.concat([
        neu.subarray(0, at),
        Buffer.from(Array.from({ length: n }, () => r() * 256)),
        neu.subarray(at),
      ]);
    else if (kind === 1) neu = Buffer.concat([neu.subarray(0, at), neu.subarray(at + n)]);
    else if (kind === 2) for (let i = at; i < Math.min(at + n, neu.length); i++) neu[i] = Math.floor(r() * 256);
    else {
      // swap two blocks: segments read each other (a dependency cycle)
      const other = Math.floor(r() * neu.length);
      const a = Buffer.from(neu.subarray(at, at + n));
      neu.copy(neu, at, other, other + a.length);
      a.copy(neu, other);
    }
  }
  const out = Buffer.alloc(length, 0xff);
  neu.copy(out, 0, 0, Math.min(length, neu.length));
  return { old: new Uint8Array(old), neu: new Uint8Array(out) };
}

describe('in-place patches', () => {
  it.each(Array.from({ length: 30 }, (_, i) => i + 1))(
    'random pair, seed %i: rebuilds the new image in place',
    (seed) => {
      const { old, neu } = randomPair(seed);
      const segmentSize = seed % 2 ? 1024 : 4096;
      const patch = readInPlacePatch(encodeInPlace(old, neu, { segmentSize, quality: 5 }));
      expect(() => checkInPlaceOrder(patch)).not.toThrow();
      const memory = Uint8Array.from(old);
      applyInPlace(memory, patch);
      expect(Buffer.from(memory).equals(Buffer.from(neu))).toBe(true);
    },
  );

  it('identical images give a patch without steps', () => {
    const { old } = randomPair(99);
    expect(readInPlacePatch(encodeInPlace(old, old, { segmentSize: 4096 })).steps).toEqual([]);
  });

  it('refuses an order that reads a rewritten segment, and a patch for another base', () => {
    const { old, neu } = randomPair(7);
    const patch = readInPlacePatch(encodeInPlace(old, neu, { segmentSize: 1024, quality: 5 }));
    const step = patch.steps[0]!;
    const stale = { ...patch, steps: [...patch.steps, { segment: 0, sources: [step.segment], pkg: step.pkg }] };
    expect(() => checkInPlaceOrder(readInPlacePatch(writeInPlacePatch(stale)))).toThrow(/already rewritten/);
    const other = Uint8Array.from(old);
    other[5] = other[5]! ^ 1;
    expect(() => applyInPlace(other, patch)).toThrow(DeltaError);
  });

  it('refuses a truncated patch', () => {
    const { old, neu } = randomPair(3);
    const bytes = encodeInPlace(old, neu, { segmentSize: 4096, quality: 5 });
    expect(() => readInPlacePatch(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
  });

  // The real pairs small enough for a unit test (the two 2 MiB ones are left to the bench).
  it.each(['xz-liblzma-sec-arm64', 'synth-shift37-arm64', 'mosquitto-broker-sec-arm64', 'openssh-sshd-sec-armhf'])(
    '%s (corpus): rebuilds in place, within twice the dual-bank delta plus per-step headers',
    (name) => {
      expect(existsSync(corpusDir), `corpus not found at ${corpusDir}`).toBe(true);
      const old = readFileSync(resolve(corpusDir, `${name}.old`));
      const neu = readFileSync(resolve(corpusDir, `${name}.new`));
      // Same length, as a flash region: the shorter image padded with erased bytes.
      const length = Math.max(old.length, neu.length);
      const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc(length - b.length, 0xff)]);
      const bytes = encodeInPlace(pad(old), pad(neu), { segmentSize: 16384, quality: 5 });
      const memory = Uint8Array.from(pad(old));
      applyInPlace(memory, readInPlacePatch(bytes));
      expect(Buffer.from(memory).equals(pad(neu))).toBe(true);
      // Each step's package carries its own header and three compressed streams (about 100 bytes) and reads
      // only its unwritten sources: within twice the dual-bank delta beside that overhead (dominant when tiny).
      // Compared without the code transform: its reference map and unwind prediction read the whole old
      // ELF image, which a step against a few old segments does not have.
      const steps = readInPlacePatch(bytes).steps.length;
      expect(bytes.length).toBeLessThan(
        2 * encode(pad(old), pad(neu), { quality: 5, transform: 'none' }).length + 120 * steps,
      );
    },
    120_000,
  );
});
