import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { readAdvisoryPath } from './files.ts';

const osv = (id: string) => ({
  id,
  modified: '2024-01-01T00:00:00Z',
  affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }],
});
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('reading advisory files', () => {
  it('reads one file, an OSV export zip, and every .json/.zip under a directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'advisories-'));
    dirs.push(dir);
    await mkdir(join(dir, 'npm'));
    await writeFile(join(dir, 'one.json'), JSON.stringify(osv('OSV-1')));
    await writeFile(
      join(dir, 'npm', 'all.zip'),
      zipSync({ 'OSV-2.json': strToU8(JSON.stringify(osv('OSV-2'))), 'README.txt': strToU8('x') }),
    );
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    expect((await readAdvisoryPath(join(dir, 'one.json'))).map((a) => a.externalId)).toEqual(['OSV-1']);
    expect((await readAdvisoryPath(join(dir, 'npm', 'all.zip'))).map((a) => a.externalId)).toEqual(['OSV-2']);
    expect((await readAdvisoryPath(dir)).map((a) => [a.externalId, a.packages[0]?.packageKey])).toEqual([
      ['OSV-2', 'pkg:npm/x'],
      ['OSV-1', 'pkg:npm/x'],
    ]);
  });

  it('names the file and the field when a record is malformed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'advisories-'));
    dirs.push(dir);
    await writeFile(
      join(dir, 'export.zip'),
      zipSync({ 'BAD-1.json': strToU8(JSON.stringify({ id: 'BAD-1', modified: 'soon' })) }),
    );
    await expect(readAdvisoryPath(join(dir, 'export.zip'))).rejects.toThrow(/BAD-1.json\/modified/);
    await writeFile(join(dir, 'broken.json'), '{"id": ');
    await expect(readAdvisoryPath(join(dir, 'broken.json'))).rejects.toThrow(/broken.json is not JSON/);
  });
});
