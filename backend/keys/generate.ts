import { chmod, mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { generateEd25519Signer } from '@ota/protocol/keys';
import type { Signer } from '@ota/protocol/keys';
import { REPOSITORIES, TUF_ROLES } from './key-set.ts';
import type { RepositoryKind, TufRole } from './key-set.ts';

/** Writes a PEM private key as `file` (mode 0600), never over an existing file. */
async function writeKeyFile(file: string, pem: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
}

/** Writes a new private key as `file`; returns its signer. */
export async function writeNewKeyFile(file: string): Promise<Signer> {
  const { signer, pem } = generateEd25519Signer();
  await writeKeyFile(file, pem);
  return signer;
}

/** Writes a new private key into `dir` (mode 0600), named by its TUF key id; returns the key id. */
export async function writeNewKey(dir: string): Promise<string> {
  const { signer, pem } = generateEd25519Signer();
  await writeKeyFile(join(dir, `${signer.keyId.slice(0, 16)}.pem`), pem);
  return signer.keyId;
}

async function isEmpty(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch {
    return true;
  }
}

/**
 * A development key set (threshold 1 everywhere) for the embedded mode, written only when the
 * directory holds no keys yet. Returns whether it generated anything.
 */
export async function ensureDevKeySet(keysDir: string): Promise<boolean> {
  // Only the set's own folders count: the audit checkpoint key (audit/) may be there first.
  for (const folder of [...REPOSITORIES, 'code-signing']) if (!(await isEmpty(join(keysDir, folder)))) return false;
  for (const repository of REPOSITORIES) {
    for (const role of TUF_ROLES) await writeNewKey(join(keysDir, repository, role));
  }
  await writeNewKey(join(keysDir, 'code-signing'));
  return true;
}

export interface Rotation {
  readonly repository: RepositoryKind;
  readonly role: TufRole;
  readonly retiredFiles: readonly string[];
  readonly newKeyId: string;
}

/**
 * Replaces every key of one role by a new one. The old files move to retired/, where root keys
 * still sign the next root version (so clients can follow the rotation) and are otherwise unused.
 */
export async function rotateKey(keysDir: string, repository: RepositoryKind, role: TufRole): Promise<Rotation> {
  const roleDir = join(keysDir, repository, role);
  const retiredDir = join(keysDir, 'retired', repository, role);
  const old = (await readdir(roleDir).catch(() => [] as string[])).filter((f) => f.endsWith('.pem'));
  if (old.length === 0) throw new Error(`no ${repository} ${role} key to rotate in ${roleDir}`);
  await mkdir(retiredDir, { recursive: true, mode: 0o700 });
  const newKeyId = await writeNewKey(roleDir);
  const retiredFiles: string[] = [];
  for (const file of old) {
    const target = join(retiredDir, `${Date.now()}-${file}`);
    await rename(join(roleDir, file), target);
    retiredFiles.push(target);
  }
  return { repository, role, retiredFiles, newKeyId };
}
