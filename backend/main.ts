import { serve } from '@hono/node-server';
import { Command } from 'commander';
import { createApp } from './app.ts';
import { startAuditAnchoringFromEnv } from './audit/anchor-from-env.ts';
import { openDatabaseFromEnv } from './db/from-env.ts';
import { startDeliveryFromEnv } from './delivery/from-env.ts';
import { createAdminToken } from './users/service.ts';

const program = new Command('backend').description('OTA platform backend');

program
  .command('serve', { isDefault: true })
  .description('migrate, then serve the API and dashboard (PORT, default 8080) and deliver campaigns over MQTT')
  .option('--no-delivery', 'serve the API only, without MQTT delivery')
  .action(async (opts: { delivery: boolean }) => {
    const { db, blobDir, describe } = await openDatabaseFromEnv();
    const maxBodyBytes = process.env.MAX_BODY_BYTES ? Number(process.env.MAX_BODY_BYTES) : undefined;
    if (maxBodyBytes !== undefined && !(Number.isSafeInteger(maxBodyBytes) && maxBodyBytes > 0))
      throw new Error(`MAX_BODY_BYTES: a positive number of bytes, not "${process.env.MAX_BODY_BYTES}"`);
    const anchoring = await startAuditAnchoringFromEnv(db);
    const delivery = opts.delivery ? await startDeliveryFromEnv(db, blobDir) : undefined;
    const app = createApp({
      db,
      blobDir,
      keys: delivery?.keys,
      maxBodyBytes,
      auditCheckpointFile: anchoring.config.checkpointFile,
    });
    const port = Number(process.env.PORT ?? 8080);
    const server = serve({ fetch: app.fetch, port }, () => {
      console.log(`backend listening on http://localhost:${port} (${describe}); docs at /docs, dashboard at /ui`);
      if (delivery) console.log(`delivery: vehicles connect to ${delivery.brokerUrl}`);
    });
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      server.close();
      // Delivery first: it writes the reports it has buffered before the database closes.
      // Then the last audit checkpoint, so everything written before the stop is anchored.
      void (delivery?.stop() ?? Promise.resolve())
        .then(() => anchoring.checkpointer.stop())
        .catch((error: unknown) => console.error(`stopping: ${(error as Error).message}`))
        .then(() => db.destroy())
        .then(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

program
  .command('migrate')
  .description('apply pending migrations and exit')
  .action(async () => {
    const { db, describe, applied } = await openDatabaseFromEnv();
    console.log(`${describe}: ${applied.length ? `applied ${applied.join(', ')}` : 'already up to date'}`);
    await db.destroy();
  });

program
  .command('create-admin-token')
  .description('create (or reuse) an admin user and print a new API token once')
  .requiredOption('--name <name>', 'the admin user name')
  .action(async (opts: { name: string }) => {
    const { db } = await openDatabaseFromEnv();
    try {
      const issued = await createAdminToken(db, opts.name);
      console.log(issued.token);
    } finally {
      await db.destroy();
    }
  });

try {
  await program.parseAsync();
} catch (err) {
  console.error(`backend: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
