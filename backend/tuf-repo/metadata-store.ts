import type { Db } from '../db/database.ts';
import type { TufMetadataTable } from './tables.ts';

export type Repository = TufMetadataTable['repository'];
export type Role = TufMetadataTable['role'];

export interface StoredMetadata {
  readonly version: number;
  readonly bytes: Uint8Array;
}

/** Every stored version of one role's metadata in one repository scope. */
function roleMetadata(db: Db, repository: Repository, scope: string, role: Role) {
  return db
    .selectFrom('tuf_metadata')
    .where('repository', '=', repository)
    .where('scope', '=', scope)
    .where('role', '=', role);
}

/** The newest version of one role's metadata in one repository scope, or undefined. */
export async function latestMetadata(
  db: Db,
  repository: Repository,
  scope: string,
  role: Role,
): Promise<StoredMetadata | undefined> {
  const row = await roleMetadata(db, repository, scope, role)
    .select(['version', 'bytes'])
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { version: row.version, bytes: new Uint8Array(row.bytes) } : undefined;
}

export async function metadataVersion(
  db: Db,
  repository: Repository,
  scope: string,
  role: Role,
  version: number,
): Promise<Uint8Array | undefined> {
  const row = await roleMetadata(db, repository, scope, role)
    .select('bytes')
    .where('version', '=', version)
    .executeTakeFirst();
  return row ? new Uint8Array(row.bytes) : undefined;
}

export async function insertMetadata(
  db: Db,
  rows: readonly { repository: Repository; scope: string; role: Role; version: number; bytes: Uint8Array }[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('tuf_metadata')
    .values(rows.map((r) => ({ ...r, bytes: Buffer.from(r.bytes) })))
    .execute();
}

/** Root versions newer than `afterVersion`, oldest first: what a client walks to follow a rotation. */
export async function rootsAfter(db: Db, repository: Repository, afterVersion: number): Promise<StoredMetadata[]> {
  const rows = await roleMetadata(db, repository, '', 'root')
    .select(['version', 'bytes'])
    .where('version', '>', afterVersion)
    .orderBy('version')
    .execute();
  return rows.map((r) => ({ version: r.version, bytes: new Uint8Array(r.bytes) }));
}
