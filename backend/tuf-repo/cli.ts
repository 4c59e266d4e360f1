/**
 * Image repository commands (database from DATABASE_URL or the embedded one, blobs from BLOB_DIR):
 *   node --import tsx backend/tuf-repo/cli.ts publish [--keys-dir D]   re-sign now
 *   node --import tsx backend/tuf-repo/cli.ts export --out DIR           write the TUF layout to DIR
 */
import { Command } from 'commander';
import { BlobStore } from '../blobs/store.ts';
import { openDatabaseFromEnv } from '../db/from-env.ts';
import { defaultKeysDir, loadKeySet } from '../keys/key-set.ts';
import { exportImageRepository } from './export.ts';
import { publishImageRepository } from './image-repository.ts';

const program = new Command('tuf-repo').description('the Image repository (TUF, consistent snapshots)');

program
  .command('publish')
  .description('sign new metadata if the authorised images or the keys changed')
  .option('--keys-dir <dir>', 'keys directory', defaultKeysDir())
  .action(async (o: { keysDir: string }) => {
    const { db } = await openDatabaseFromEnv();
    try {
      const versions = await publishImageRepository(db, await loadKeySet(o.keysDir));
      console.log(JSON.stringify(versions));
    } finally {
      await db.destroy();
    }
  });

program
  .command('export')
  .description(
    'write N.root.json, root.json, timestamp.json, N.snapshot.json, N.targets.json and targets/ to a directory',
  )
  .requiredOption('--out <dir>', 'output directory')
  .action(async (o: { out: string }) => {
    const { db, blobDir } = await openDatabaseFromEnv();
    try {
      const summary = await exportImageRepository(db, new BlobStore(blobDir), o.out);
      console.log(`${summary.metadataFiles} metadata files, ${summary.targetFiles} targets written to ${o.out}`);
      if (summary.missingBlobs.length > 0) {
        console.error(`missing from the blob store: ${summary.missingBlobs.join(', ')}`);
        process.exitCode = 1;
      }
    } finally {
      await db.destroy();
    }
  });

await program.parseAsync().catch((error: unknown) => {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
});
