// The backend's HTTP log on real PostgreSQL: one JSON access line per request with level, component,
// route, status and a request id (the caller's or a new one, echoed in X-Request-Id); a failing request's
// error is one line carrying the same request id; the same failure repeated is written once and counted.
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../backend/app.ts';
import { createDatabase } from '../../../backend/db/database.ts';
import { logBrokerConnection } from '../../../backend/observability/broker-events.ts';
import { createLogger, flushRepeats, startupLogger } from '../../../backend/observability/logger.ts';
import { useTestDatabase } from '../../support/db.ts';
import { startMosquitto } from '../../support/mosquitto.ts';
import { freePort } from '../../support/net.ts';
import { waitFor } from '../../support/wait-for.ts';

interface Line {
  level: number;
  component: string;
  msg: string;
  requestId?: string;
  route?: string;
  status?: number;
  ms?: number;
  repeated?: number;
}

const database = useTestDatabase();

function logged(level?: string) {
  const raw: string[] = [];
  const log = createLogger({
    component: 'http',
    format: 'json',
    write: (t) => raw.push(t),
    ...(level ? { level } : {}),
  });
  return { log, raw, lines: () => raw.map((t) => JSON.parse(t) as Line) };
}

describe('backend HTTP log', () => {
  it('writes one access line per request with the request id it returns', async () => {
    const { log, raw, lines } = logged();
    const app = createApp({ db: database.db, blobDir: '/nonexistent', log });
    const given = await app.request('/livez', { headers: { 'x-request-id': 'req-42' } });
    expect(given.headers.get('x-request-id')).toBe('req-42');
    const made = await app.request('/api/campaigns'); // no token: 401
    const madeId = made.headers.get('x-request-id');
    expect(madeId).toMatch(/^[0-9a-f-]{36}$/);
    const bad = await app.request('/livez', { headers: { 'x-request-id': 'has spaces and ünïcode' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    expect(raw.every((t) => t.endsWith('\n') && t.indexOf('\n') === t.length - 1)).toBe(true);
    expect(lines()).toHaveLength(3);
    expect(lines()[0]).toMatchObject({
      level: 30,
      component: 'http',
      msg: 'request',
      requestId: 'req-42',
      route: '/livez',
      status: 200,
    });
    expect(lines()[1]).toMatchObject({ requestId: madeId, status: 401 });
    expect(typeof lines()[0]!.ms).toBe('number');
  });

  it('logs a failing request (database down: 503) as one warning line with its request id, and repeats of it once with a count', async () => {
    const unreachable = createDatabase({ url: `postgres://postgres@127.0.0.1:${await freePort()}/postgres` });
    try {
      const { log, raw, lines } = logged();
      const app = createApp({ db: unreachable, blobDir: '/nonexistent', log });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        // A public route that needs the database (no token check before it).
        const res = await app.request('/tuf/image/timestamp.json', { headers: { 'x-request-id': `r${i}` } });
        expect(res.status).toBe(503);
        ids.push(res.headers.get('x-request-id')!);
      }
      const errors = lines().filter((l) => l.level >= 40);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ component: 'http', requestId: 'r0' });
      expect(raw.filter((t) => JSON.parse(t).level >= 40).every((t) => t.split('\n').length === 2)).toBe(true);
      expect(
        lines()
          .filter((l) => l.msg === 'request')
          .map((l) => l.requestId),
      ).toEqual(ids);
      // The count of the four held back arrives once the window ends; flush it now.
      flushRepeats(log);
      expect(lines().at(-1)).toMatchObject({ level: 40, repeated: 4 });
    } finally {
      await unreachable.destroy();
    }
  });

  it.for(['warn', 'silent'])('writes startup lines as info at LOG_LEVEL=%s, and nothing else below it', (level) => {
    const { log, lines } = logged(level);
    log.info('hidden');
    startupLogger(log).info('listening on 1234');
    expect(lines()).toEqual([expect.objectContaining({ level: 30, component: 'http', msg: 'listening on 1234' })]);
  });

  it('logs a lost broker connection and its return', { timeout: 120_000 }, async () => {
    const broker = await startMosquitto({ persistence: false, why: 'the broker-connection log test' });
    const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 200 });
    try {
      const { log, lines } = logged();
      logBrokerConnection(client, broker.url, log);
      await broker.stop();
      await waitFor('the lost line', async () => lines().some((l) => l.msg === 'broker connection lost'));
      await broker.start();
      await waitFor('the restored line', async () => lines().some((l) => l.msg === 'broker connection restored'));
      expect(lines().find((l) => l.msg === 'broker connection lost')).toMatchObject({ level: 40 });
      // Reconnect attempts while it is down are one line and a count, not one line each.
      expect(lines().filter((l) => l.msg === 'reconnecting to the broker').length).toBeLessThanOrEqual(1);
    } finally {
      await client.endAsync(true);
      await broker.close();
    }
  });
});
