import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHarness } from './harness.ts';
import type { Harness } from './harness.ts';

// The dashboard's image upload takes images up to the API's image limit, not the 4 MiB body limit of
// every other route; both are refused before the body is read (413 before the 401 of a missing session).

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ maxImageBytes: 8 * 1024 * 1024 });
});
afterAll(() => h.destroy());

const post = (path: string, bytes: number) =>
  h.app.request(path, {
    method: 'POST',
    body: new Uint8Array(bytes),
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes) },
  });

it('lets a 5 MiB image through to the dashboard upload, and refuses it elsewhere and above the image limit', async () => {
  expect((await post('/ui/releases/1/images?fileName=a.bin', 5 * 1024 * 1024)).status).toBe(401);
  expect((await post('/ui/releases', 5 * 1024 * 1024)).status).toBe(413);
  expect((await post('/ui/releases/1/images?fileName=a.bin', 9 * 1024 * 1024)).status).toBe(413);
});
