import { Command } from 'commander';
import { addFlags } from '../runtime/cli-flags.ts';
import { envHelp } from '../runtime/env-config.ts';
import { stopOnSignals } from '../runtime/shutdown.ts';
import { BACKEND_FLAGS } from './cli-flags.ts';
import { BACKEND_ENV, loadBackendConfig } from './config.ts';

// Commands load the backend when they run, so `--help` answers without loading Hono, Kysely and MQTT.
const openDatabaseFromEnv = async () => (await import('./db/from-env.ts')).openDatabaseFromEnv();

const program = new Command('backend')
  .description('OTA platform backend')
  .addHelpText('after', envHelp(BACKEND_ENV))
  // Every command checks the whole environment first, so a wrong variable is named before anything starts.
  .hook('preAction', async () => void (await loadBackendConfig()));

addFlags(program.command('serve', { isDefault: true }), BACKEND_FLAGS.serve)
  .description('migrate, then serve the API and dashboard (PORT, default 8080) and deliver campaigns over MQTT')
  .action(async (opts: { delivery: boolean }) => {
    const { serve } = await import('@hono/node-server');
    const { createApp } = await import('./app.ts');
    const { startDeliveryFromEnv } = await import('./delivery/from-env.ts');
    const { startAuditAnchoringFromEnv } = await import('./audit/anchor-from-env.ts');
    const { brokerConnected, databaseReachable, migrationsCurrent } = await import('./ops/readiness.ts');
    const { createLogger, flushRepeats, routeConsoleToLogger, startupLogger } =
      await import('./observability/logger.ts');
    const { logBrokerConnection } = await import('./observability/broker-events.ts');
    const { BackendMetrics } = await import('./observability/metrics.ts');
    const config = await loadBackendConfig();
    (await import('./observability/heap-growth.ts')).limitHeapGrowth(config.HEAP_GROWTH_PERCENT);
    const log = createLogger({
      component: 'backend',
      level: config.LOG_LEVEL,
      ...(config.LOG_FORMAT ? { format: config.LOG_FORMAT } : {}),
    });
    // What the backend's parts print becomes structured lines too (and repeated errors collapse).
    routeConsoleToLogger(log);
    const { db, blobDir, describe } = await openDatabaseFromEnv();
    const readiness = [databaseReachable(db), migrationsCurrent(db)];
    const metrics = new BackendMetrics(db);
    const anchoring = await startAuditAnchoringFromEnv(db, config);
    const { startSiemFromEnv } = await import('./siem/from-env.ts');
    const siem = startSiemFromEnv(db, config, (line) => console.log(line));
    // Delivery before the app: with its keys, authorising a release publishes the Image repository at once.
    const delivery = opts.delivery ? await startDeliveryFromEnv(db, blobDir) : undefined;
    const app = createApp({
      db,
      blobDir,
      readiness,
      log: log.child({ component: 'http' }),
      metrics,
      keys: delivery?.keys,
      maxBodyBytes: config.MAX_BODY_BYTES,
      auditCheckpointFile: anchoring.config.checkpointFile,
    });
    if (delivery) {
      const { publishers, connections } = delivery.service;
      const allConnected = () => connections.every((c) => c.mqtt.connected);
      readiness.push(brokerConnected(allConnected));
      metrics.attach({
        brokerConnected: allConnected,
        brokerDroppedAtMostOnce: () => publishers.replies.droppedAtMostOnce,
        ingester: delivery.service.ingester,
      });
      for (const c of connections) logBrokerConnection(c.mqtt, delivery.brokerUrl, log.child({ component: 'mqtt' }));
    }
    const port = config.PORT;
    // PORT=0 lets the OS choose; the line names the port actually bound, which supervisors and tests
    // read, so it is written whatever LOG_LEVEL is.
    const startup = startupLogger(log);
    const server = serve({ fetch: app.fetch, port }, (bound) => {
      startup.info(
        `backend listening on http://localhost:${bound.port} (${describe}); docs at /docs, dashboard at /ui`,
      );
      if (delivery) startup.info(`delivery: vehicles connect to ${delivery.brokerUrl}`);
    });
    stopOnSignals(async () => {
      server.close();
      // Delivery first: it writes the reports it has buffered before the database closes.
      await delivery?.stop();
      await siem?.stop();
      // Then the last audit checkpoint, so everything written before the stop is anchored.
      await anchoring.checkpointer.stop();
      await db.destroy();
      flushRepeats(log);
    });
  });

program
  .command('migrate')
  .description('apply pending migrations and exit')
  .action(async () => {
    const { db, describe, applied } = await openDatabaseFromEnv();
    console.log(`${describe}: ${applied.length ? `applied ${applied.join(', ')}` : 'already up to date'}`);
    await db.destroy();
  });

addFlags(program.command('create-admin-token'), BACKEND_FLAGS['create-admin-token'])
  .description('create (or reuse) an admin user and print a new API token once')
  .action(async (opts: { name: string }) => {
    const { createAdminToken } = await import('./users/service.ts');
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
