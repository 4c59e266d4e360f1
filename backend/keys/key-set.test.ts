import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEd25519Signer } from '@ota/protocol/keys';
import { ensureDevKeySet, rotateKey, writeNewKey } from './generate.ts';
import { envKeyName, loadKeySet } from './key-set.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keys-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('key set', () => {
  it('generates a dev key set once, with a code-signing key apart from the TUF keys', async () => {
    const keysDir = join(dir, 'dev');
    expect(await ensureDevKeySet(keysDir)).toBe(true);
    expect(await ensureDevKeySet(keysDir)).toBe(false);
    const keys = await loadKeySet(keysDir, {});
    expect(keys.image.root.threshold).toBe(1);
    expect(keys.director.timestamp.signers).toHaveLength(1);
    const tufIds = [keys.image, keys.director].flatMap((r) =>
      Object.values(r).flatMap((role) => role.signers.map((s) => s.keyId)),
    );
    expect(new Set(tufIds).size).toBe(8);
    expect(tufIds).not.toContain(keys.codeSigning.keyId);
  });

  it('takes an online key from the environment instead of the files', async () => {
    const keysDir = join(dir, 'dev');
    const { signer, pem } = generateEd25519Signer();
    const keys = await loadKeySet(keysDir, { [envKeyName('image', 'timestamp')]: pem });
    expect(envKeyName('image', 'timestamp')).toBe('OTA_IMAGE_TIMESTAMP_KEY');
    expect(keys.image.timestamp.signers.map((s) => s.keyId)).toEqual([signer.keyId]);
  });

  it('refuses a threshold above the number of keys, naming the role', async () => {
    const keysDir = join(dir, 'threshold');
    await cp(join(dir, 'dev'), keysDir, { recursive: true });
    await writeFile(join(keysDir, 'image', 'thresholds.json'), JSON.stringify({ root: 2 }));
    await expect(loadKeySet(keysDir, {})).rejects.toThrow(/image root threshold 2 exceeds its 1 keys/);
    await writeNewKey(join(keysDir, 'image', 'root'));
    expect((await loadKeySet(keysDir, {})).image.root).toMatchObject({
      threshold: 2,
      signers: [expect.anything(), expect.anything()],
    });
  });

  it('refuses a file that is not an Ed25519 key and a missing code-signing key', async () => {
    const keysDir = join(dir, 'broken');
    await cp(join(dir, 'dev'), keysDir, { recursive: true });
    const [file] = await readdir(join(keysDir, 'code-signing'));
    await rm(join(keysDir, 'code-signing', file!));
    await expect(loadKeySet(keysDir, {})).rejects.toThrow(/exactly one code-signing key/);
    await writeFile(join(keysDir, 'code-signing', 'bad.pem'), 'not a key');
    await expect(loadKeySet(keysDir, {})).rejects.toThrow(/bad\.pem is not an Ed25519/);
  });

  it('rotate-key replaces the role key and keeps the old one under retired/', async () => {
    const keysDir = join(dir, 'rotate');
    await cp(join(dir, 'dev'), keysDir, { recursive: true });
    const before = await loadKeySet(keysDir, {});
    const rotation = await rotateKey(keysDir, 'director', 'root');
    const after = await loadKeySet(keysDir, {});
    expect(after.director.root.signers.map((s) => s.keyId)).toEqual([rotation.newKeyId]);
    expect(after.retiredRoot.director.map((s) => s.keyId)).toEqual(before.director.root.signers.map((s) => s.keyId));
    expect(await readFile(rotation.retiredFiles[0]!, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
    await expect(rotateKey(join(dir, 'nothing'), 'image', 'root')).rejects.toThrow(/no image root key to rotate/);
  });
});
