import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface DatabaseOptions {
  /** PostgreSQL connection string; when absent the embedded PGlite engine is used. */
  url?: string | undefined;
  /** PGlite data directory; in memory when absent. Ignored when `url` is set. */
  dataDir?: string | undefined;
  /** A PGlite data directory dump (tar) to start from, e.g. an already migrated database. */
  loadDataDir?: Blob | undefined;
  /** An existing PGlite instance to use; it stays owned (and closed) by the caller. */
  pglite?: PGlite | undefined;
  /** How long a new PostgreSQL connection may take before the query fails as unavailable (default 5 s). */
  connectTimeoutMs?: number | undefined;
}

/** SQLSTATE 57P01: the server terminated the connection (shutdown, or a forced DROP DATABASE). */
const ADMIN_SHUTDOWN = '57P01';

/**
 * One code path for both engines: Kysely's PostgresDialect over a pg.Pool, which for the
 * embedded case talks to PGlite through its node-postgres adapter.
 */
/** The pool behind each database handle, for its metrics (connections in use, idle, waiting). */
const pools = new WeakMap<Db, pg.Pool>();
export const poolOf = (db: Db): pg.Pool | undefined => pools.get(db);

export function createDatabase(options: DatabaseOptions = {}): Db {
  if (options.url) {
    // A bounded connect: an unreachable server (black-holed network) fails requests with 503, not never.
    const pool = new pg.Pool({
      connectionString: options.url,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    });
    // An idle connection the server drops (restart, failover, pg_terminate_backend) is reported on
    // the pool; unhandled, that event would crash the process. The pool replaces the connection.
    pool.on('error', (err: Error & { code?: string }) => {
      if (err.code !== ADMIN_SHUTDOWN) console.warn(`database: idle connection lost: ${err.message}`);
    });
    // A connection that dies while checked out fails its query (a 503 for the request), then emits
    // 'error' on the client, which pg-pool only listens to while the client is idle: unhandled, that
    // would crash the process. The pool discards the broken client when it is released.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    pools.set(db, pool);
    return db;
  }
  if (options.pglite) {
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool: new PglitePool(options.pglite, false) }) });
  }
  const pglite = new PGlite({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: new PglitePool(pglite, true) }) });
}

/** PGlite runs one connection; closing the pool also closes the engine the pool owns. */
class PglitePool extends pg.Pool {
  readonly #pglite: PGlite;
  readonly #owned: boolean;
  constructor(pglite: PGlite, owned: boolean) {
    super(createPgConfig(pglite));
    this.#pglite = pglite;
    this.#owned = owned;
  }
  override async end(): Promise<void> {
    await super.end();
    if (this.#owned) await this.#pglite.close();
  }
}
