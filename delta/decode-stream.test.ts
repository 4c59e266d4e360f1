// decodeStream decodes while the package arrives: what the bytes so far determine is yielded before the
// rest of the package is in (a bootloader programs it while TransferData blocks still come).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeStream, encode } from './index.ts';
import { codeOf } from './testing/index.ts';

/** 256 KiB whose second half is new bytes: the extra stream (the last one) carries most of the package. */
function pair(): [Uint8Array, Uint8Array] {
  const old = randomBytes(256 * 1024);
  const neu = Buffer.from(old);
  randomBytes(128 * 1024).copy(neu, 128 * 1024);
  for (let i = 0; i < 128 * 1024; i += 4096) neu[i] = neu[i]! ^ 0x5a;
  return [old, neu];
}

describe('decodeStream while the package arrives', () => {
  it('yields the first 64 KiB before the last kilobyte of the package is given', async () => {
    const [old, neu] = pair();
    const pkg = encode(old, neu, { quality: 5 });
    let firstChunk!: () => void;
    const chunkSeen = new Promise<void>((resolve) => (firstChunk = resolve));
    let tailGiven = false;
    async function* source() {
      for (let at = 0; at < pkg.length - 1024; at += 4093)
        yield pkg.subarray(at, Math.min(at + 4093, pkg.length - 1024));
      await chunkSeen; // never resolves if the decoder waited for the whole package: the test times out
      tailGiven = true;
      yield pkg.subarray(pkg.length - 1024);
    }
    const out: Uint8Array[] = [];
    for await (const chunk of decodeStream(old, source())) {
      if (out.length === 0) {
        expect(tailGiven).toBe(false);
        firstChunk();
      }
      out.push(Buffer.from(chunk));
    }
    expect(Buffer.concat(out).equals(neu)).toBe(true);
  }, 30_000);

  it('yields pieces of at most outputChunk bytes (a bootloader programs a sector at a time)', async () => {
    const [old, neu] = pair();
    const pkg = encode(old, neu, { quality: 5 });
    const out: Uint8Array[] = [];
    for await (const chunk of decodeStream(old, [pkg], { outputChunk: 4096 })) out.push(Buffer.from(chunk));
    expect(Math.max(...out.map((c) => c.length))).toBe(4096);
    expect(Buffer.concat(out).equals(neu)).toBe(true);
  });

  it('a package cut short is refused as truncated, also when the decoder already began', async () => {
    const [old, neu] = pair();
    const pkg = encode(old, neu, { quality: 5 });
    async function* cut() {
      for (let at = 0; at < pkg.length - 1024; at += 4093)
        yield pkg.subarray(at, Math.min(at + 4093, pkg.length - 1024));
    }
    const drain = async () => {
      for await (const _ of decodeStream(old, cut()));
    };
    expect(await codeOf(drain())).toBe('truncated');
  });
});
