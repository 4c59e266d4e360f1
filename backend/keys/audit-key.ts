/**
 * The key that signs audit checkpoints (backend/audit/checkpointer.ts): an Ed25519 PKCS#8 PEM file,
 * KEYS_DIR/audit/checkpoint.pem unless AUDIT_KEY_FILE names another, created on first start. Its
 * public key (64 hex digits) is written beside it as checkpoint.pub for verify-audit; give auditors
 * a copy kept apart from the backend, since whoever can replace both can sign what they like.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ed25519SignerFromPem } from '@ota/protocol/keys';
import type { Signer } from '@ota/protocol/keys';
import { writeNewKeyFile } from './generate.ts';
import { defaultKeysDir, KeyLoadError } from './key-set.ts';

export function auditKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.AUDIT_KEY_FILE ?? join(defaultKeysDir(env), 'audit', 'checkpoint.pem');
}

export function auditPublicKeyFile(keyFile: string): string {
  return `${keyFile.replace(/\.pem$/, '')}.pub`;
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

async function readSigner(keyFile: string): Promise<Signer> {
  const pem = await readFile(keyFile, 'utf8');
  try {
    return ed25519SignerFromPem(pem);
  } catch (error) {
    throw new KeyLoadError(`${keyFile} is not an Ed25519 PKCS#8 PEM private key: ${(error as Error).message}`);
  }
}

/** The checkpoint signer, generating the key file (and its .pub) when there is none yet. */
export async function loadOrCreateAuditKey(keyFile: string): Promise<{ signer: Signer; created: boolean }> {
  let signer: Signer;
  let created = false;
  try {
    signer = await readSigner(keyFile);
  } catch (error) {
    if (!isMissing(error)) throw error;
    try {
      signer = await writeNewKeyFile(keyFile);
      created = true;
    } catch (writeError) {
      // Another process created it first: use theirs.
      if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError;
      signer = await readSigner(keyFile);
    }
  }
  const publicHex = signer.publicKey.keyval.public;
  const pubFile = auditPublicKeyFile(keyFile);
  const existing = await readFile(pubFile, 'utf8').catch((error: unknown) => {
    if (isMissing(error)) return null;
    throw error;
  });
  if (existing === null) await writeFile(pubFile, `${publicHex}\n`, { mode: 0o644 });
  else if (existing.trim() !== publicHex) {
    throw new KeyLoadError(`${pubFile} does not hold the public key of ${keyFile}; which one was replaced?`);
  }
  return { signer, created };
}

const PUBLIC_HEX = /^[0-9a-f]{64}$/;

/** A public key given as 64 hex digits or as a file holding them (a .pub file). */
export async function readAuditPublicKey(source: string): Promise<string> {
  const trimmed = source.trim().toLowerCase();
  if (PUBLIC_HEX.test(trimmed)) return trimmed;
  let text: string;
  try {
    text = (await readFile(source, 'utf8')).trim().toLowerCase();
  } catch (error) {
    throw new KeyLoadError(`cannot read the audit public key ${source}: ${(error as Error).message}`);
  }
  if (!PUBLIC_HEX.test(text)) throw new KeyLoadError(`${source} does not hold an Ed25519 public key (64 hex digits)`);
  return text;
}
