import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519SignerFromSeed, seedFromLabel } from '@ota/protocol/keys';
import { signCheckpoint } from './checkpoint.ts';
import { appendCheckpoints, readCheckpointLines, readLatestCheckpoint } from './checkpoint-file.ts';

const signer = ed25519SignerFromSeed(seedFromLabel('checkpoint file test'));
const at = new Date('2026-12-04T10:00:00.000Z');
const hashOf = (seq: number) => seq.toString(16).padStart(64, '0');
const checkpoint = (from: number, seq: number) =>
  signCheckpoint(signer, { from, seq, hashes: Array.from({ length: seq - from + 1 }, (_, i) => hashOf(from + i)), at });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audit-checkpoints-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function collect(file: string) {
  const out = [];
  for await (const line of readCheckpointLines(file)) out.push(line);
  return out;
}

describe('checkpoint file', () => {
  it('creates the file (mode 0600, directory included) and only ever appends whole lines', async () => {
    const file = join(dir, 'nested', 'checkpoints.jsonl');
    await appendCheckpoints(file, [checkpoint(1, 2)]);
    await appendCheckpoints(file, [checkpoint(3, 4), checkpoint(5, 5)]);
    await appendCheckpoints(file, []);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { seq: number }).seq),
    ).toEqual([2, 4, 5]);
    expect((await collect(file)).map((l) => [l.lineNo, l.parsed.kind])).toEqual([
      [1, 'checkpoint'],
      [2, 'checkpoint'],
      [3, 'checkpoint'],
    ]);
  });

  it('reads the latest checkpoint from the end, past a torn last line and lines not accepted', async () => {
    const file = join(dir, 'torn.jsonl');
    await appendCheckpoints(file, [checkpoint(1, 3), checkpoint(4, 6)]);
    await appendFile(file, JSON.stringify(checkpoint(7, 9)).slice(0, 50));
    expect((await readLatestCheckpoint(file))?.seq).toBe(6);
    expect((await readLatestCheckpoint(file, (c) => c.seq < 6))?.seq).toBe(3);
    expect(await readLatestCheckpoint(file, () => false)).toBeNull();
    expect((await collect(file)).map((l) => l.parsed.kind)).toEqual(['checkpoint', 'checkpoint', 'torn']);
  });

  it('finds the latest checkpoint in a file larger than one read, with lines longer than one read', async () => {
    const file = join(dir, 'large.jsonl');
    const lines = [];
    for (let from = 1; from <= 20_000; from += 5000) lines.push(checkpoint(from, from + 4999));
    await appendCheckpoints(file, lines);
    expect((await stat(file)).size).toBeGreaterThan(4 * 64 * 1024);
    const latest = await readLatestCheckpoint(file);
    expect(latest).toMatchObject({ from: 15_001, seq: 20_000, headHash: hashOf(20_000) });
    expect((await readLatestCheckpoint(file, (c) => c.seq === 5000))?.from).toBe(1);
  });

  it('has nothing to read when the file does not exist', async () => {
    expect(await readLatestCheckpoint(join(dir, 'absent.jsonl'))).toBeNull();
    expect(await collect(join(dir, 'absent.jsonl'))).toEqual([]);
  });
});
