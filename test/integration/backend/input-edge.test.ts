/**
 * Input the API must refuse with a 4xx problem naming the field, changing nothing: U+0000 in any
 * text (body, query, path), database refusals without SQLSTATEs or driver text, oversized bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../backend/observability/logger.ts';
import { seedFleet, vinFor } from './fixtures.ts';
import { createHarness } from './harness.ts';
import type { ApiResult, Harness } from './harness.ts';

let h: Harness;
/** The server's log lines (JSON), where a 500's request id must appear. */
const serverLog: string[] = [];
let manager: string;
let security: string;
let engineer: string;

beforeAll(async () => {
  h = await createHarness({
    maxBodyBytes: 64 * 1024,
    maxImageBytes: 256 * 1024,
    log: createLogger({ component: 'http', format: 'json', write: (line) => serverLog.push(line) }),
  });
  manager = (await h.user(['campaign_manager'])).token;
  security = (await h.user(['security_engineer'])).token;
  engineer = (await h.user(['release_engineer'])).token;
  await seedFleet(h.db, { count: 3, modelId: 'compact' });
});
afterAll(() => h.destroy());

function expectFieldRefused(res: ApiResult, field: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  expect(res.contentType).toContain('application/problem+json');
  expect(res.body.errors).toContainEqual({ field, message: expect.stringMatching(/U\+0000/) });
  expect(res.body.detail).toContain(field);
}

async function count(path: string, token: string): Promise<number> {
  const res = await h.call('GET', `${path}?limit=500`, token);
  expect(res.status).toBe(200);
  return res.body.items.length as number;
}

describe('U+0000 in any text', () => {
  it('is refused in JSON bodies of several endpoints, naming the field, and nothing is stored', async () => {
    const vulnerabilities = await count('/api/vulnerabilities', security);
    const title = await h.call('POST', '/api/vulnerabilities', security, {
      title: 'seed\u0000bypass',
      reporter: 'Jane',
      reporterKind: 'researcher',
      affected: [{ hardwareId: 'HW-BMS-1', versions: ['1.0.0'] }],
    });
    expectFieldRefused(title, 'json.title');
    expect(await count('/api/vulnerabilities', security)).toBe(vulnerabilities);

    expectFieldRefused(
      await h.call('POST', '/api/vehicle-models', manager, { id: 'nul-model', name: 'Compact\u0000EV' }),
      'json.name',
    );
    const models = await h.call('GET', '/api/vehicle-models', manager);
    expect(models.body.items.map((m: { id: string }) => m.id)).not.toContain('nul-model');

    expectFieldRefused(
      await h.call('POST', '/api/campaigns', manager, { name: 'BMS\u0000patch', kind: 'security_patch' }),
      'json.name',
    );
    // Nested in arrays, and in the JSON text as a raw escape sequence.
    const nested = await h.call(
      'POST',
      '/api/vehicles',
      manager,
      `{"vin":"${vinFor(90)}","modelId":"compact","modelYear":2024,"region":"EU","tags":["ok","a\\u0000b"],` +
        `"timeZone":"UTC","ecus":[{"serial":"S\\u0000","name":"bms","hardwareId":"HW-BMS-1","installedVersion":"1.0.0"}]}`,
    );
    expectFieldRefused(nested, 'json.tags.1');
    expectFieldRefused(nested, 'json.ecus.0.serial');
    expect((await h.call('GET', `/api/vehicles/${vinFor(90)}`, manager)).status).toBe(404);
  });

  it('is refused in query parameters and path parameters', async () => {
    expectFieldRefused(await h.call('GET', '/api/vehicles?modelId=comp%00act', manager), 'query.modelId');
    expectFieldRefused(await h.call('GET', '/api/vehicles?tag=%00', manager), 'query.tag');
    // The caller is known first: an anonymous request is refused as such, its body never parsed.
    expect((await h.call('GET', '/api/vehicles?tag=%00', null)).status).toBe(401);
    expectFieldRefused(await h.call('GET', '/api/audit?entityType=vehicle%00', h.adminToken), 'query.entityType');
    expectFieldRefused(await h.call('GET', '/api/releases?hardwareId=HW%00', engineer), 'query.hardwareId');
    expectFieldRefused(await h.call('GET', `/api/vehicles/${vinFor(1).slice(0, 16)}%00`, manager), 'param.vin');
    expectFieldRefused(await h.call('GET', `/api/vehicles/${vinFor(1)}%00/history`, manager), 'param.vin');
    expectFieldRefused(
      await h.call('POST', '/api/releases/1/images?fileName=a%00.bin', engineer, {}),
      'query.fileName',
    );
  });

  it('is refused inside a list cursor', async () => {
    const cursor = Buffer.from(JSON.stringify('WVW\u0000')).toString('base64url');
    const res = await h.call('GET', `/api/vehicles?cursor=${cursor}`, manager);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'cursor', message: expect.any(String) }]);
  });
});

describe('database refusals', () => {
  it('name the field, never the SQLSTATE, constraint or driver text', async () => {
    const model = { id: 'dup-model', name: 'Dup' };
    expect((await h.call('POST', '/api/vehicle-models', manager, model)).status).toBe(201);
    const duplicate = await h.call('POST', '/api/vehicle-models', manager, model);
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors).toEqual([{ field: 'id', message: 'already exists' }]);

    const unknownModel = await h.call('POST', '/api/vehicles', manager, {
      vin: vinFor(91),
      modelId: 'no-such-model',
      modelYear: 2024,
      region: 'EU',
      timeZone: 'UTC',
      ecus: [],
    });
    expect(unknownModel.status, JSON.stringify(unknownModel.body)).toBe(422);
    expect(unknownModel.body.errors).toEqual([
      { field: 'modelId', message: 'refers to something that does not exist' },
    ]);

    for (const res of [duplicate, unknownModel]) {
      const text = JSON.stringify(res.body);
      expect(text).not.toMatch(/\b[0-9A-Z]{2}[0-9A-Z]{3}\b.*database|\(2[0-9A-Z]{4}\)|_pkey|_fkey|_check|Key \(/);
    }
  });

  it('an unexpected failure is an opaque 500 whose request id is in the server log', async () => {
    // A database object the code relies on is missing: the code's bug, not the client's.
    await h.db.schema.alterTable('vehicle_models').renameTo('vehicle_models_moved').execute();
    const res = await h.call('GET', '/api/vehicle-models', manager);
    await h.db.schema.alterTable('vehicle_models_moved').renameTo('vehicle_models').execute();
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ title: 'Internal error', requestId: expect.any(String) });
    expect(res.body.detail).not.toMatch(/relation|vehicle_models|42P01/);
    const errorLines = serverLog.map((line) => JSON.parse(line) as { level: number; requestId?: string });
    expect(errorLines.filter((l) => l.level >= 50).map((l) => l.requestId)).toContain(res.body.requestId);
  });
});

describe('request body size', () => {
  it('refuses a JSON body above the limit with 413 before parsing it, and stores nothing', async () => {
    const vulnerabilities = await count('/api/vulnerabilities', security);
    const big = JSON.stringify({
      title: 'x',
      description: 'y'.repeat(100 * 1024),
      reporter: 'Jane',
      reporterKind: 'researcher',
      affected: [{ hardwareId: 'HW-BMS-1', versions: ['1.0.0'] }],
    });
    const res = await h.call('POST', '/api/vulnerabilities', security, big);
    expect(res.status).toBe(413);
    expect(res.contentType).toContain('application/problem+json');
    expect(res.body).toMatchObject({ limitBytes: 64 * 1024, detail: expect.stringContaining(String(64 * 1024)) });
    expect(await count('/api/vulnerabilities', security)).toBe(vulnerabilities);
  });

  it('counts a chunked body without Content-Length as it streams and stops at the limit', async () => {
    let pulled = 0;
    const chunk = new TextEncoder().encode(' '.repeat(16 * 1024));
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        // 30 MiB if read to the end.
        if (pulled > 1920) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await h.app.request('/api/vulnerabilities', {
      method: 'POST',
      headers: { authorization: `Bearer ${security}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(pulled).toBeLessThan(20);
  });

  it('keeps the larger image limit on the upload route', async () => {
    const release = await h.call('POST', '/api/releases', engineer, {
      hardwareId: 'HW-BMS-1',
      version: '9.9.9',
      supplier: 'Acme',
    });
    expect(release.status).toBe(201);
    // 200 KiB: above the 64 KiB API limit, below the 256 KiB image limit, raw and as base64 JSON.
    const image = new Uint8Array(200 * 1024).fill(7);
    const raw = await h.app.request(`/api/releases/${release.body.id}/images?fileName=a.bin`, {
      method: 'POST',
      headers: { authorization: `Bearer ${engineer}`, 'content-type': 'application/octet-stream' },
      body: image,
    });
    expect(raw.status, await raw.clone().text()).toBe(201);
    const base64 = await h.call('POST', `/api/releases/${release.body.id}/images`, engineer, {
      fileName: 'b.bin',
      contentBase64: Buffer.from(image.map((b) => b + 1)).toString('base64'),
    });
    expect(base64.status, JSON.stringify(base64.body)).toBe(201);
    const tooBig = await h.app.request(`/api/releases/${release.body.id}/images?fileName=c.bin`, {
      method: 'POST',
      headers: { authorization: `Bearer ${engineer}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(400 * 1024),
    });
    expect(tooBig.status).toBe(413);
  });
});
