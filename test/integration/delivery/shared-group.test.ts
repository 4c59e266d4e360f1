// DELIVERY_SHARED_GROUP reaches the backend's shared subscriptions: another subscriber in the
// same group takes a share of the vehicles' messages (which is how a stopped instance's persistent
// session in the group swallowed the vcan end-to-end test's first manifest), and one in another
// group does not. The real program (`backend serve`) on real PostgreSQL and Mosquitto; the
// messages are malformed metadata requests, each of which the backend records as a rejection.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureDevKeySet } from '../../../backend/keys/generate.ts';
import { subscriptionFilter, vehicleTopic } from '@ota/protocol/messages';
import { createTestDatabaseOnServer } from '../../support/db.ts';
import { waitFor } from '../../support/wait-for.ts';
import { startBackendProgram } from './support/backend-process.ts';

const MESSAGES = 20;
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts a backend in `group` beside a silent subscriber in `otherGroup`; counts who got the 20 messages. */
async function split(group: string, otherGroup: string): Promise<{ backend: number; other: number }> {
  const { DATABASE_URL, MQTT_URL } = process.env;
  if (!DATABASE_URL || !MQTT_URL) throw new Error('this test needs DATABASE_URL and MQTT_URL');
  const run = randomBytes(4).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'ota-shared-group-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  await ensureDevKeySet(join(dir, 'keys'));
  const database = await createTestDatabaseOnServer(DATABASE_URL);
  cleanups.push(() => database.destroy());

  const other = await mqtt.connectAsync(MQTT_URL, { clientId: `shared-other-${run}`, protocolVersion: 5 });
  cleanups.push(() => other.endAsync());
  let otherGot = 0;
  other.on('message', () => otherGot++);
  await other.subscribeAsync(`$share/${otherGroup}/${subscriptionFilter('metadata/request')}`, { qos: 1 });

  const backend = await startBackendProgram({
    DATABASE_URL: database.url!,
    MQTT_URL,
    DATA_DIR: dir,
    KEYS_DIR: join(dir, 'keys'),
    DELIVERY_CLIENT_ID: `shared-backend-${run}`,
    DELIVERY_SHARED_GROUP: group,
    LOG_LEVEL: 'warn',
  });
  cleanups.push(() => backend.kill());

  const vin = `SG${run.toUpperCase()}0000000`.slice(0, 17);
  const vehicle = await mqtt.connectAsync(MQTT_URL, { clientId: `shared-vehicle-${run}`, protocolVersion: 5 });
  cleanups.push(() => vehicle.endAsync());
  for (let i = 0; i < MESSAGES; i++) {
    await vehicle.publishAsync(vehicleTopic(vin, 'metadata/request'), `not json ${i}`, { qos: 1 });
  }
  const rejected = async () => {
    const row = await database.db
      .selectFrom('delivery_rejections')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('vin', '=', vin)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  // Every message goes to one subscriber per group: wait until all 20 are accounted for.
  const expected = group === otherGroup ? MESSAGES : 2 * MESSAGES;
  let backendGot = 0;
  await waitFor(
    `${expected} deliveries between the backend and the other subscriber`,
    async () => {
      backendGot = await rejected();
      return backendGot + otherGot === expected;
    },
    60_000,
    () => `backend ${backendGot} / other ${otherGot}`,
  );
  return { backend: backendGot, other: otherGot };
}

describe('DELIVERY_SHARED_GROUP', () => {
  it('puts the backend in the named group, where another member takes a share', { timeout: 180_000 }, async () => {
    const group = `sg${randomBytes(4).toString('hex')}`;
    const { backend, other } = await split(group, group);
    expect(backend).toBeGreaterThan(0);
    expect(other).toBeGreaterThan(0);
    expect(backend + other).toBe(MESSAGES);
  });

  it('leaves a subscriber of another group its own copy of every message', { timeout: 180_000 }, async () => {
    const suffix = randomBytes(4).toString('hex');
    const { backend, other } = await split(`sg${suffix}`, `elsewhere${suffix}`);
    expect(backend).toBe(MESSAGES);
    expect(other).toBe(MESSAGES);
  });
});
