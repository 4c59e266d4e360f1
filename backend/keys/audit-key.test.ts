import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditKeyFile, auditPublicKeyFile, loadOrCreateAuditKey, readAuditPublicKey } from './audit-key.ts';
import { ensureDevKeySet } from './generate.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audit-key-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('audit checkpoint key', () => {
  it('lives under KEYS_DIR/audit unless AUDIT_KEY_FILE names another file', () => {
    expect(auditKeyFile({ KEYS_DIR: '/k' })).toBe('/k/audit/checkpoint.pem');
    expect(auditKeyFile({ DATA_DIR: '/d' })).toBe('/d/keys/audit/checkpoint.pem');
    expect(auditKeyFile({ KEYS_DIR: '/k', AUDIT_KEY_FILE: '/secure/anchor.pem' })).toBe('/secure/anchor.pem');
    expect(auditPublicKeyFile('/k/audit/checkpoint.pem')).toBe('/k/audit/checkpoint.pub');
  });

  it('is generated once (0600) with its public key beside it, then reused', async () => {
    const keyFile = join(dir, 'keys', 'audit', 'checkpoint.pem');
    const first = await loadOrCreateAuditKey(keyFile);
    expect(first.created).toBe(true);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateAuditKey(keyFile);
    expect(again).toMatchObject({ created: false, signer: { keyId: first.signer.keyId } });
    const pub = await readFile(auditPublicKeyFile(keyFile), 'utf8');
    expect(pub).toBe(`${first.signer.publicKey.keyval.public}\n`);
    expect(await readAuditPublicKey(auditPublicKeyFile(keyFile))).toBe(first.signer.publicKey.keyval.public);
    expect(await readAuditPublicKey(pub.toUpperCase())).toBe(first.signer.publicKey.keyval.public);
  });

  it('does not stop the development key set from being generated beside it', async () => {
    const keysDir = join(dir, 'keys');
    expect(await ensureDevKeySet(keysDir)).toBe(true);
    expect(await ensureDevKeySet(keysDir)).toBe(false);
  });

  it('refuses a .pub that does not belong to the key, and a public key that is not one', async () => {
    const keyFile = join(dir, 'mismatch', 'checkpoint.pem');
    await loadOrCreateAuditKey(keyFile);
    await writeFile(auditPublicKeyFile(keyFile), `${'ab'.repeat(32)}\n`);
    await expect(loadOrCreateAuditKey(keyFile)).rejects.toThrow(/checkpoint\.pub does not hold the public key of/);
    await writeFile(join(dir, 'bad.pub'), 'not a key');
    await expect(readAuditPublicKey(join(dir, 'bad.pub'))).rejects.toThrow(/does not hold an Ed25519 public key/);
    await expect(readAuditPublicKey(join(dir, 'absent.pub'))).rejects.toThrow(/cannot read the audit public key/);
    await writeFile(join(dir, 'bad.pem'), 'not a key');
    await expect(loadOrCreateAuditKey(join(dir, 'bad.pem'))).rejects.toThrow(/is not an Ed25519 PKCS#8 PEM/);
  });
});
