/**
 * The signing keys of both repositories and the ECU code-signing key, loaded from a keys
 * directory (never from the database):
 *
 *   KEYS_DIR/<repository>/<role>/*.pem   Ed25519 PKCS#8 private keys (root, targets offline)
 *   KEYS_DIR/<repository>/thresholds.json  {"root": 2, ...}; 1 when absent
 *   KEYS_DIR/code-signing/*.pem          the ECU code-signing key (exactly one)
 *   KEYS_DIR/retired/<repository>/<role>/*.pem  keys replaced by rotate-key (sign the next root)
 *
 * Online keys can come from the environment instead: OTA_<REPOSITORY>_<ROLE>_KEY holds a PEM
 * (e.g. OTA_IMAGE_TIMESTAMP_KEY); it replaces the files of that role.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ed25519SignerFromPem } from '@ota/protocol/keys';
import type { Signer } from '@ota/protocol/keys';

export const REPOSITORIES = ['image', 'director'] as const;
export type RepositoryKind = (typeof REPOSITORIES)[number];
export const TUF_ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const;
export type TufRole = (typeof TUF_ROLES)[number];
/** Roles whose keys may live on the server; the others are held by release engineers. */
export const ONLINE_ROLES: Readonly<Record<RepositoryKind, readonly TufRole[]>> = {
  image: ['snapshot', 'timestamp'],
  director: ['root', 'targets', 'snapshot', 'timestamp'],
};

export interface RoleKeys {
  readonly signers: readonly Signer[];
  readonly threshold: number;
}
export type RepositoryKeys = Readonly<Record<TufRole, RoleKeys>>;

export interface KeySet {
  readonly image: RepositoryKeys;
  readonly director: RepositoryKeys;
  readonly codeSigning: Signer;
  /** Root keys replaced by a rotation, per repository: they co-sign the next root version. */
  readonly retiredRoot: Readonly<Record<RepositoryKind, readonly Signer[]>>;
}

export class KeyLoadError extends Error {
  override readonly name = 'KeyLoadError';
}

async function pemFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir))
      .filter((f) => f.endsWith('.pem'))
      .sort()
      .map((f) => join(dir, f));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function loadSigners(dir: string): Promise<Signer[]> {
  const signers: Signer[] = [];
  for (const file of await pemFiles(dir)) {
    try {
      signers.push(ed25519SignerFromPem(await readFile(file, 'utf8')));
    } catch (error) {
      throw new KeyLoadError(`${file} is not an Ed25519 PKCS#8 PEM private key: ${(error as Error).message}`);
    }
  }
  return signers;
}

async function loadThresholds(file: string): Promise<Partial<Record<TufRole, number>>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null) throw new KeyLoadError(`${file} must be a JSON object`);
  const out: Partial<Record<TufRole, number>> = {};
  for (const [role, value] of Object.entries(parsed)) {
    if (!(TUF_ROLES as readonly string[]).includes(role)) throw new KeyLoadError(`${file}: unknown role ${role}`);
    if (!Number.isSafeInteger(value) || (value as number) < 1) {
      throw new KeyLoadError(`${file}: threshold of ${role} must be a positive integer`);
    }
    out[role as TufRole] = value as number;
  }
  return out;
}

/** The keys directory: KEYS_DIR, else DATA_DIR/keys (DATA_DIR defaults to .data/backend). */
export function defaultKeysDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.KEYS_DIR ?? join(env.DATA_DIR ?? '.data/backend', 'keys');
}

export function envKeyName(repository: RepositoryKind, role: TufRole): string {
  return `OTA_${repository.toUpperCase()}_${role.toUpperCase()}_KEY`;
}

async function loadRepository(
  keysDir: string,
  repository: RepositoryKind,
  env: NodeJS.ProcessEnv,
): Promise<RepositoryKeys> {
  const thresholds = await loadThresholds(join(keysDir, repository, 'thresholds.json'));
  const roles = {} as Record<TufRole, RoleKeys>;
  for (const role of TUF_ROLES) {
    const fromEnv = env[envKeyName(repository, role)];
    const signers = fromEnv ? [ed25519SignerFromPem(fromEnv)] : await loadSigners(join(keysDir, repository, role));
    const threshold = thresholds[role] ?? 1;
    if (signers.length === 0)
      throw new KeyLoadError(`no ${repository} ${role} key in ${join(keysDir, repository, role)}`);
    if (threshold > signers.length) {
      throw new KeyLoadError(`${repository} ${role} threshold ${threshold} exceeds its ${signers.length} keys`);
    }
    roles[role] = { signers, threshold };
  }
  return roles;
}

export async function loadKeySet(keysDir: string, env: NodeJS.ProcessEnv = process.env): Promise<KeySet> {
  const codeSigning = await loadSigners(join(keysDir, 'code-signing'));
  if (codeSigning.length !== 1) {
    throw new KeyLoadError(
      `expected exactly one code-signing key in ${join(keysDir, 'code-signing')}, found ${codeSigning.length}`,
    );
  }
  const image = await loadRepository(keysDir, 'image', env);
  const director = await loadRepository(keysDir, 'director', env);
  const codeSigner = codeSigning[0]!;
  const tufKeyIds = new Set(
    [image, director].flatMap((repo) => TUF_ROLES.flatMap((role) => repo[role].signers.map((s) => s.keyId))),
  );
  if (tufKeyIds.has(codeSigner.keyId)) throw new KeyLoadError('the code-signing key must not also be a TUF role key');
  return {
    image,
    director,
    codeSigning: codeSigner,
    retiredRoot: {
      image: await loadSigners(join(keysDir, 'retired', 'image', 'root')),
      director: await loadSigners(join(keysDir, 'retired', 'director', 'root')),
    },
  };
}
