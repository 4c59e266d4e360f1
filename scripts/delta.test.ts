import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EDK2_LZMA, firmware, volume } from '@ota/delta/testing';
import { nodeArgsFor } from '../test/support/programs.ts';

const dir = mkdtempSync(join(tmpdir(), 'delta-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeArgsFor('scripts/delta.ts'), ...args], (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('npm run delta', () => {
  const old = randomBytes(20_000);
  const neu = Buffer.concat([old.subarray(0, 8000), randomBytes(64), old.subarray(8000)]);
  const oldPath = join(dir, 'old.bin');
  const newPath = join(dir, 'new.bin');
  const pkgPath = join(dir, 'update.otad');
  writeFileSync(oldPath, old);
  writeFileSync(newPath, neu);

  it('encodes, describes and decodes a package', async () => {
    const enc = await run('encode', '--quiet', oldPath, newPath, pkgPath);
    expect(enc.code).toBe(0);
    const info = await run('info', '--json', pkgPath);
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ method: 'bsdiff-brotli', result: { length: neu.length } });
    const outPath = join(dir, 'out.bin');
    expect((await run('decode', oldPath, pkgPath, outPath)).code).toBe(0);
    expect(readFileSync(outPath).equals(neu)).toBe(true);
  });

  it('fails with status 1 on a wrong base and leaves no output file behind', async () => {
    const outPath = join(dir, 'wrong.bin');
    const res = await run('decode', newPath, pkgPath, outPath);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('base_mismatch');
    expect(readdirSync(dir).filter((f) => f.includes('wrong'))).toEqual([]);
  });

  it('fails with status 2 on a usage error', async () => {
    expect((await run('decode', oldPath)).code).toBe(2);
    expect((await run('encode', '--quality', '12', oldPath, newPath, pkgPath)).code).toBe(2);
  });

  it('describes an lzma-section package: profile, sections and the memory its decoder needs', async () => {
    const raw = volume(200_000, 7);
    const changed = Uint8Array.from(raw);
    changed.set(volume(100, 8), 50_000);
    const [fwOld, fwNew] = [await firmware(raw, EDK2_LZMA), await firmware(changed, EDK2_LZMA)];
    const [fwOldPath, fwNewPath, fwPkgPath] = ['fw-old.bin', 'fw-new.bin', 'fw.otad'].map((f) => join(dir, f)) as [
      string,
      string,
      string,
    ];
    writeFileSync(fwOldPath, fwOld);
    writeFileSync(fwNewPath, fwNew);
    expect((await run('encode', '--quiet', fwOldPath, fwNewPath, fwPkgPath)).code).toBe(0);
    const text = await run('info', fwPkgPath);
    expect(text.stdout).toMatch(
      /section {4}LZMA, replay-parse: .*\(200000 decompressed\); decoding holds about [\d.]+ MB/,
    );
    const json = JSON.parse((await run('info', '--json', fwPkgPath)).stdout) as { section: Record<string, unknown> };
    expect(json.section).toMatchObject({ profile: 'replay-parse', resultVolumeLength: 200_000 });
    // Both expanded images (image, volume and parse each) and the result: more than twice the volume.
    expect(json.section.decodeBytes).toBeGreaterThan(2 * 200_000 + fwNew.length);
  });
});
