/**
 * Authorising a release through the API publishes it in the Image repository at once: the targets
 * a vehicle fetches right after the authorise call list the release's image.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDevKeySet } from '../../../backend/keys/generate.ts';
import { loadKeySet } from '../../../backend/keys/key-set.ts';
import { publishImageRepository } from '../../../backend/tuf-repo/image-repository.ts';
import { createHarness } from './harness.ts';
import type { Harness } from './harness.ts';

let h: Harness;
let keysDir: string;

beforeAll(async () => {
  keysDir = await mkdtemp(join(tmpdir(), 'ota-keys-'));
  await ensureDevKeySet(keysDir);
  const keys = await loadKeySet(keysDir);
  h = await createHarness({ keys });
  // The repository as delivery leaves it at start: published, without this release.
  await publishImageRepository(h.db, keys);
});
afterAll(async () => {
  await h.destroy();
  await rm(keysDir, { recursive: true, force: true });
});

/** The targets a TUF client reaches from timestamp.json: timestamp -> snapshot -> targets. */
async function publishedTargets(): Promise<Record<string, { hashes: { sha256: string } }>> {
  const get = async (path: string) => {
    const res = await h.app.request(`/tuf/image/${path}`);
    expect(res.status, path).toBe(200);
    return (await res.json()) as { signed: Record<string, unknown> };
  };
  const meta = (doc: { signed: Record<string, unknown> }, file: string) =>
    (doc.signed.meta as Record<string, { version: number }>)[file]!.version;
  const snapshot = await get(`${meta(await get('timestamp.json'), 'snapshot.json')}.snapshot.json`);
  const targets = await get(`${meta(snapshot, 'targets.json')}.targets.json`);
  return targets.signed.targets as Record<string, { hashes: { sha256: string } }>;
}

describe('publication on authorisation', () => {
  it('lists the image in the Image repository right after the authorise call', async () => {
    const engineer = (await h.user(['release_engineer'])).token;
    const approver = (await h.user(['approver'])).token;
    const created = await h.call('POST', '/api/releases', engineer, {
      hardwareId: 'HW-GATEWAY-1',
      version: '4.2.0',
      supplier: 'Acme',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    const image = new TextEncoder().encode('gateway firmware 4.2.0');
    const sha256 = createHash('sha256').update(image).digest('hex');
    const upload = await h.app.request(`/api/releases/${id}/images?fileName=gw.bin`, {
      method: 'POST',
      headers: { authorization: `Bearer ${engineer}`, 'content-type': 'application/octet-stream' },
      body: image,
    });
    expect(upload.status).toBe(201);
    const evidence = { reportRef: 'TR-1', logSha256: 'a'.repeat(64) };
    for (const to of ['in_test', 'approved', 'released', 'in_internal_test']) {
      const moved = await h.call('POST', `/api/releases/${id}/transitions`, engineer, { to, reason: to, evidence });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    }
    const shas = async () => Object.values(await publishedTargets()).map((t) => t.hashes.sha256);
    expect(await shas()).not.toContain(sha256);

    const authorised = await h.call('POST', `/api/releases/${id}/authorization`, approver, {
      decision: 'authorized',
      reason: 'HIL passed',
      evidence,
    });
    expect(authorised.status, JSON.stringify(authorised.body)).toBe(200);
    expect(await shas()).toContain(sha256);
  });
});
