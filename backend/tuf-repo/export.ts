import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from '../blobs/store.ts';
import type { Db } from '../db/database.ts';
import { latestMetadata } from './metadata-store.ts';

export interface ExportSummary {
  readonly metadataFiles: number;
  readonly targetFiles: number;
  readonly missingBlobs: readonly string[];
}

/**
 * Writes the Image repository to `dir` in TUF's consistent-snapshot layout, readable by any TUF
 * client: every N.root.json (and root.json, the newest), timestamp.json, every N.snapshot.json
 * and N.targets.json, and targets/<sha256>.<name> for each target of the newest targets.
 */
export async function exportImageRepository(db: Db, blobs: BlobStore, dir: string): Promise<ExportSummary> {
  await mkdir(join(dir, 'targets'), { recursive: true });
  const rows = await db
    .selectFrom('tuf_metadata')
    .select(['role', 'version', 'bytes'])
    .where('repository', '=', 'image')
    .where('scope', '=', '')
    .orderBy('role')
    .orderBy('version')
    .execute();
  let metadataFiles = 0;
  for (const row of rows) {
    if (row.role === 'timestamp') continue;
    await writeFile(join(dir, `${row.version}.${row.role}.json`), row.bytes);
    metadataFiles++;
  }
  const root = await latestMetadata(db, 'image', '', 'root');
  const timestamp = await latestMetadata(db, 'image', '', 'timestamp');
  if (root) await writeFile(join(dir, 'root.json'), root.bytes);
  if (timestamp) await writeFile(join(dir, 'timestamp.json'), timestamp.bytes);
  metadataFiles += (root ? 1 : 0) + (timestamp ? 1 : 0);

  const targets = await latestMetadata(db, 'image', '', 'targets');
  const missingBlobs: string[] = [];
  let targetFiles = 0;
  if (targets) {
    const listed = (
      JSON.parse(new TextDecoder().decode(targets.bytes)) as {
        signed: { targets: Record<string, { hashes: { sha256: string } }> };
      }
    ).signed.targets;
    for (const [name, target] of Object.entries(listed)) {
      const bytes = await blobs.get(target.hashes.sha256);
      if (!bytes) {
        missingBlobs.push(target.hashes.sha256);
        continue;
      }
      await writeFile(join(dir, 'targets', `${target.hashes.sha256}.${name}`), bytes);
      targetFiles++;
    }
  }
  return { metadataFiles, targetFiles, missingBlobs };
}
