// /livez and /readyz on real PostgreSQL and a real Mosquitto (the test's own, so that it can stop it):
// ready when all is well; a problem+json 503 naming the cause with a retry hint when the database is
// unreachable, migrations are pending or the broker is gone; ready again by itself once the broker is back.
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../backend/app.ts';
import { createDatabase, type Db } from '../../../backend/db/database.ts';
import {
  brokerConnected,
  databaseReachable,
  migrationsCurrent,
  type ReadinessCheck,
} from '../../../backend/ops/readiness.ts';
import { createEmptyDatabase, useTestDatabase } from '../../support/db.ts';
import { startMosquitto } from '../../support/mosquitto.ts';
import { freePort } from '../../support/net.ts';

const database = useTestDatabase();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function appWith(db: Db, extra: ReadinessCheck[] = []) {
  return createApp({
    db,
    blobDir: '/nonexistent',
    readiness: [databaseReachable(db), migrationsCurrent(db), ...extra],
  });
}

async function readyz(app: ReturnType<typeof appWith>) {
  const res = await app.request('/readyz');
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    retry: res.headers.get('retry-after'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('/livez and /readyz', () => {
  it('is live and ready with a reachable, migrated database', async () => {
    const app = appWith(database.db);
    expect((await app.request('/livez')).status).toBe(200);
    const ready = await readyz(app);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
  });

  it('answers 503 problem+json naming the database when it cannot be reached, and stays live', async () => {
    const unreachable = createDatabase({ url: `postgres://postgres@127.0.0.1:${await freePort()}/postgres` });
    cleanups.push(() => unreachable.destroy());
    const app = appWith(unreachable);
    expect((await app.request('/livez')).status).toBe(200);
    const ready = await readyz(app);
    expect(ready.status).toBe(503);
    expect(ready.type).toBe('application/problem+json');
    expect(ready.retry).toBe('5');
    expect(ready.body).toMatchObject({
      status: 503,
      title: 'Not ready',
      detail: expect.stringMatching(/^database: .*ECONNREFUSED/),
    });
  });

  it('answers 503 naming the pending migrations on a database that was not migrated', async () => {
    if (!process.env.DATABASE_URL) throw new Error('this test needs real PostgreSQL: set DATABASE_URL');
    const empty = await createEmptyDatabase(process.env.DATABASE_URL);
    const db = createDatabase({ url: empty.url });
    cleanups.push(async () => {
      await db.destroy();
      await empty.drop();
    });
    const ready = await readyz(appWith(db));
    expect(ready.status).toBe(503);
    expect(ready.body.detail).toMatch(/^migrations: pending: 0001_identity_and_audit, /);
    expect(ready.body.checks).toMatchObject({ database: 'ok' });
  });

  it(
    'is not ready while the broker is gone and ready again by itself once it is back',
    { timeout: 120_000 },
    async () => {
      const broker = await startMosquitto({ persistence: false, why: 'the broker readiness test' });
      cleanups.push(() => broker.close());
      // A plain mqtt.js client that reconnects, as the readiness check only reads its connection state.
      const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 200, clientId: `readyz-${process.pid}` });
      cleanups.push(() => client.endAsync(true));
      const app = appWith(database.db, [brokerConnected(() => client.connected)]);
      expect((await readyz(app)).status).toBe(200);

      await broker.stop();
      const down = await pollUntil(
        () => readyz(app),
        (r) => r.status === 503,
        30_000,
      );
      expect(down.body.detail).toBe('broker: not connected to the MQTT broker');

      await broker.start();
      const back = await pollUntil(
        () => readyz(app),
        (r) => r.status === 200,
        30_000,
      );
      expect(back.body.checks).toEqual({ database: 'ok', migrations: 'ok', broker: 'ok' });
    },
  );
});
