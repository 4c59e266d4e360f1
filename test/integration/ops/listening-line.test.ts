// The backend names the port it bound (PORT=0: the OS chooses) whatever LOG_LEVEL is: supervisors,
// the fleet bench and tests read it from that line. Real PostgreSQL and Mosquitto (DATABASE_URL, MQTT_URL).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureDevKeySet } from '../../../backend/keys/generate.ts';
import { createEmptyDatabase } from '../../support/db.ts';
import { startBackendProgram } from '../delivery/support/backend-process.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the backend listening line', () => {
  it('names the bound port with PORT=0 and LOG_LEVEL=warn', { timeout: 180_000 }, async () => {
    const { DATABASE_URL, MQTT_URL } = process.env;
    if (!DATABASE_URL || !MQTT_URL) throw new Error('this test needs DATABASE_URL and MQTT_URL');
    const dir = mkdtempSync(join(tmpdir(), 'ota-listening-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    await ensureDevKeySet(join(dir, 'keys'));
    const database = await createEmptyDatabase(DATABASE_URL);
    cleanups.push(() => database.drop());
    const backend = await startBackendProgram({
      DATABASE_URL: database.url,
      MQTT_URL,
      DATA_DIR: dir,
      KEYS_DIR: join(dir, 'keys'),
      DELIVERY_CLIENT_ID: `listening-line-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    });
    cleanups.push(() => backend.kill());
    expect((await fetch(`${backend.baseUrl}/readyz`)).status).toBe(200);
    const lines = backend
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    // An info line (it reports no problem), written although the level asked for is warn.
    const listening = lines.find((l) => l.msg.startsWith('backend listening on'));
    expect(listening?.level).toBe(30);
    expect(listening?.msg).toContain(`http://localhost:${new URL(backend.baseUrl).port} `);
  });
});
