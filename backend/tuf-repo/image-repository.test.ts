import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustRoot, verifyRepository } from '@ota/protocol/tuf';
import { verifyEcuImageSignature } from '@ota/protocol/uptane';
import { useTestDatabase } from '../../test/support/db.ts';
import { insertAuthorisedRelease, insertUsers } from '../../test/integration/delivery/fixtures.ts';
import { BlobStore } from '../blobs/store.ts';
import { ensureDevKeySet, rotateKey } from '../keys/generate.ts';
import { loadKeySet } from '../keys/key-set.ts';
import { exportImageRepository } from './export.ts';
import { publishImageRepository } from './image-repository.ts';
import { tufRoutes } from './routes.ts';

const database = useTestDatabase();
let dir: string;
let blobs: BlobStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tuf-repo-'));
  blobs = new BlobStore(join(dir, 'blobs'));
  await ensureDevKeySet(join(dir, 'keys'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function fetchAll(app: Hono, base: string, timestampBytes?: Uint8Array) {
  const get = async (path: string) => new Uint8Array(await (await app.request(`${base}/${path}`)).arrayBuffer());
  const timestamp = timestampBytes ?? (await get('timestamp.json'));
  const snapVersion = (
    JSON.parse(new TextDecoder().decode(timestamp)) as { signed: { meta: Record<string, { version: number }> } }
  ).signed.meta['snapshot.json']!.version;
  const snapshot = await get(`${snapVersion}.snapshot.json`);
  const targetsVersion = (
    JSON.parse(new TextDecoder().decode(snapshot)) as { signed: { meta: Record<string, { version: number }> } }
  ).signed.meta['targets.json']!.version;
  return { timestamp, snapshot, targets: await get(`${targetsVersion}.targets.json`) };
}

describe('Image repository', () => {
  it('publishes authorised images with code signatures, verifiable by a TUF client, and follows a root rotation', async () => {
    const users = await insertUsers(database.db);
    const release = await insertAuthorisedRelease(database.db, blobs, {
      hardwareId: 'HW-ENGINE',
      version: '2.0.0',
      image: new Uint8Array(5000).fill(7),
      createdBy: users.creator,
    });
    const keysDir = join(dir, 'keys');
    const keys = await loadKeySet(keysDir, {});
    const first = await publishImageRepository(database.db, keys);
    expect(first).toMatchObject({ root: 1, targets: 1, snapshot: 1, timestamp: 1, published: true });
    expect((await publishImageRepository(database.db, keys)).published).toBe(false);
    // 13 hours later the timestamp (1 day) is past half its life: snapshot and timestamp are re-signed with the online keys.
    const later = new Date(Date.now() + 13 * 3600 * 1000);
    expect(await publishImageRepository(database.db, keys, later)).toMatchObject({
      targets: 1,
      snapshot: 2,
      timestamp: 2,
      published: true,
    });
    expect(await publishImageRepository(database.db, keys, later)).toMatchObject({
      snapshot: 2,
      timestamp: 2,
      published: false,
    });

    // Mounted as the backend mounts it.
    const app = new Hono().route('/tuf', tufRoutes({ db: database.db, blobs, resolveUser: async () => 'missing' }));
    const root1 = new Uint8Array(await (await app.request('/tuf/image/1.root.json')).arrayBuffer());
    const trusted = trustRoot('image', root1);
    const verified = verifyRepository('image', await fetchAll(app, '/tuf/image'), trusted, new Date());
    const [name, target] = Object.entries(verified.targets.targets)[0]!;
    expect(target.hashes.sha256).toBe(release.sha256);
    const custom = target.custom as { ecuSignature: string; version: string };
    expect(custom.version).toBe('2.0.0');
    expect(verifyEcuImageSignature(keys.codeSigning.publicKey.keyval.public, release.sha256, custom.ecuSignature)).toBe(
      true,
    );

    // The target file itself, whole and by byte range.
    const whole = await app.request(`/tuf/image/targets/${release.sha256}.${name}`);
    expect(whole.status).toBe(200);
    const part = await app.request(`/tuf/image/targets/${release.sha256}.${name}`, {
      headers: { range: 'bytes=4990-' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 4990-4999/5000');
    expect((await part.arrayBuffer()).byteLength).toBe(10);
    // A blob of a release that is not authorised is not served.
    const unreleased = await blobs.put(new Uint8Array(10).fill(1));
    expect((await app.request(`/tuf/image/targets/${unreleased.sha256}.x.bin`)).status).toBe(404);

    // Rotating the root key: root 2 is signed by old and new root keys, and a client on root 1 follows.
    await rotateKey(keysDir, 'image', 'root');
    const rotated = await loadKeySet(keysDir, {});
    const second = await publishImageRepository(database.db, rotated);
    expect(second).toMatchObject({ root: 2, targets: 2, snapshot: 3, timestamp: 3 });
    const root2 = new Uint8Array(await (await app.request('/tuf/image/2.root.json')).arrayBuffer());
    const followed = verifyRepository(
      'image',
      { roots: [root2], ...(await fetchAll(app, '/tuf/image')) },
      verified.state,
      new Date(),
    );
    expect(followed.state.root.version).toBe(2);
    // After a timestamp-key rotation (root 3), a client that does not fetch the new root refuses the new timestamp.
    await rotateKey(keysDir, 'image', 'timestamp');
    const third = await publishImageRepository(database.db, await loadKeySet(keysDir, {}));
    expect(third.root).toBe(3);
    const latest = await fetchAll(app, '/tuf/image');
    expect(() => verifyRepository('image', { roots: [root2], ...latest }, verified.state, new Date())).toThrow(
      /timestamp/,
    );

    const out = join(dir, 'export');
    const summary = await exportImageRepository(database.db, blobs, out);
    expect(summary).toMatchObject({ targetFiles: 1, missingBlobs: [] });
    const files = await readdir(out);
    expect(files).toEqual(
      expect.arrayContaining([
        '1.root.json',
        '2.root.json',
        '3.root.json',
        'root.json',
        'timestamp.json',
        '3.snapshot.json',
        '3.targets.json',
        'targets',
      ]),
    );
    expect(await readdir(join(out, 'targets'))).toEqual([`${release.sha256}.${name}`]);
    expect(await readFile(join(out, '3.root.json'))).toEqual(
      Buffer.from(await (await app.request('/tuf/image/root.json')).arrayBuffer()),
    );
  });
});
