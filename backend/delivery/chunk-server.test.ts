import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeChunkFrame, encodeMessage } from '@ota/protocol/messages';
import { destroyTestDatabase } from '../../test/integration/delivery/harness.ts';
import { insertAuthorisedRelease, insertUsers, testVin } from '../../test/integration/delivery/fixtures.ts';
import { createTestDatabase } from '../../test/support/db.ts';
import type { TestDatabase } from '../../test/support/db.ts';
import { BlobStore } from '../blobs/store.ts';
import type { BrokerClient } from '../mqtt/broker-client.ts';
import { CHUNK_SIZE, ChunkServer } from './chunk-server.ts';

let testDb: TestDatabase;
let dir: string;
let server: ChunkServer;
let image: Uint8Array;
let imageSha: string;
let privateSha: string;
const sent: { topic: string; payload: Uint8Array }[] = [];
const VIN = testVin('CHK', 1);

beforeAll(async () => {
  testDb = await createTestDatabase();
  const db = testDb.db;
  dir = await mkdtemp(join(tmpdir(), 'chunks-'));
  const blobs = new BlobStore(dir);
  const users = await insertUsers(db);
  image = new Uint8Array(CHUNK_SIZE * 2 + 100).map((_, i) => i % 251);
  imageSha = (
    await insertAuthorisedRelease(db, blobs, { hardwareId: 'HW', version: '1.0.0', image, createdBy: users.creator })
  ).sha256;
  privateSha = (await blobs.put(new Uint8Array([9, 9, 9]))).sha256;
  const broker = {
    publish: async (topic: string, payload: Uint8Array) => void sent.push({ topic, payload }),
  } as unknown as BrokerClient;
  server = new ChunkServer({ db, blobs, broker });
});
afterAll(async () => {
  await destroyTestDatabase(testDb);
  await rm(dir, { recursive: true, force: true });
});

const request = (sha256: string, ranges: { offset: number; length: number }[]) =>
  encodeMessage('chunks/request', { requestId: 'req-000001', sha256, ranges });

describe('ChunkServer', () => {
  it('sends the requested ranges in frames of at most CHUNK_SIZE, to the asking vehicle only', async () => {
    sent.length = 0;
    expect(
      await server.handle(
        VIN,
        request(imageSha, [
          { offset: 10, length: CHUNK_SIZE + 5 },
          { offset: CHUNK_SIZE * 2, length: 4096 },
        ]),
      ),
    ).toBeUndefined();
    const frames = sent.map((s) => ({ topic: s.topic, ...decodeChunkFrame(s.payload) }));
    expect(frames.every((f) => f.topic === `ota/v1/vehicles/${VIN}/chunks/data`)).toBe(true);
    expect(frames.map((f) => [f.header.offset, f.header.length, f.header.totalLength])).toEqual([
      [10, CHUNK_SIZE, image.length],
      [10 + CHUNK_SIZE, 5, image.length],
      [CHUNK_SIZE * 2, 100, image.length],
    ]);
    for (const f of frames)
      expect([...f.data]).toEqual([...image.subarray(f.header.offset, f.header.offset + f.header.length)]);
  });

  it('refuses blobs that are not authorised images or deltas, and ranges past the end', async () => {
    sent.length = 0;
    expect(await server.handle(VIN, request(privateSha, [{ offset: 0, length: 3 }]))).toMatch(
      /not an authorised image/,
    );
    expect(await server.handle(VIN, request(imageSha, [{ offset: image.length, length: 1 }]))).toMatch(/past the end/);
    expect(sent).toEqual([]);
  });
});
