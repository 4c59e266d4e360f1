// PostgreSQL's cost per statement over a phase of the fleet bench, from pg_stat_statements, when the
// server preloads it (shared_preload_libraries): the same figures per 1,000 vehicles for each
// statement, and the WAL the whole server wrote. Without the library nothing is measured.
import { sql } from 'kysely';
import type { Db } from '../../backend/db/database.ts';

interface StatementFigures {
  readonly query: string;
  readonly calls: number;
  readonly ms: number;
  /** Planning ms (0 unless pg_stat_statements.track_planning is on). */
  readonly planMs: number;
  readonly rows: number;
  readonly blocksHit: number;
  readonly blocksRead: number;
  readonly walBytes: number;
}

/** The statements of the bench's database so far (by query id), and the server's WAL position. */
export interface StatementSnapshot {
  readonly statements: ReadonlyMap<string, StatementFigures>;
  readonly walLsn: string;
}

/** Statements listed, the most expensive first. */
const LISTED = 16;

/** A snapshot, or null when the server does not load pg_stat_statements. */
export async function statementSnapshot(db: Db): Promise<StatementSnapshot | null> {
  const loaded = await sql<{ on: boolean }>`
    SELECT current_setting('shared_preload_libraries') ~ 'pg_stat_statements' AS on`.execute(db);
  if (!loaded.rows[0]?.on) return null;
  await sql`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`.execute(db);
  const rows = await sql<{
    queryid: string;
    query: string;
    calls: string;
    ms: number;
    plan_ms: number;
    rows: string;
    hit: string;
    read: string;
    wal: string;
  }>`
    SELECT queryid::text, query, calls, total_exec_time AS ms, total_plan_time AS plan_ms, rows, shared_blks_hit AS hit,
      shared_blks_read AS read, wal_bytes::text AS wal
    FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`.execute(db);
  const lsn = await sql<{ lsn: string }>`SELECT pg_current_wal_lsn()::text AS lsn`.execute(db);
  const statements = new Map(
    rows.rows.map((r) => [
      r.queryid,
      {
        query: r.query,
        calls: Number(r.calls),
        ms: r.ms,
        planMs: r.plan_ms,
        rows: Number(r.rows),
        blocksHit: Number(r.hit),
        blocksRead: Number(r.read),
        walBytes: Number(r.wal),
      },
    ]),
  );
  return { statements, walLsn: lsn.rows[0]!.lsn };
}

/** Bytes from one WAL position (`X/Y`) to another. */
function walDistance(from: string, to: string): number {
  const bytes = (lsn: string) => {
    const [hi, lo] = lsn.split('/').map((h) => BigInt(`0x${h}`));
    return (hi! << 32n) + lo!;
  };
  return Number(bytes(to) - bytes(from));
}

const oneLine = (query: string) => query.replace(/\s+/g, ' ').trim().slice(0, 110);

/**
 * Bench rows for what ran between two snapshots: the totals (statements, execution ms, WAL) per
 * 1,000 vehicles and per vehicle, then the LISTED statements with the most execution time.
 */
export function statementRows(
  before: StatementSnapshot,
  after: StatementSnapshot,
  vehicles: number,
): [string, string][] {
  const per1000 = (x: number) => (x * 1000) / vehicles;
  const deltas = [...after.statements].map(([id, a]) => {
    const b = before.statements.get(id);
    return {
      query: a.query,
      calls: a.calls - (b?.calls ?? 0),
      ms: a.ms - (b?.ms ?? 0),
      planMs: a.planMs - (b?.planMs ?? 0),
      rows: a.rows - (b?.rows ?? 0),
      blocksHit: a.blocksHit - (b?.blocksHit ?? 0),
      blocksRead: a.blocksRead - (b?.blocksRead ?? 0),
      walBytes: a.walBytes - (b?.walBytes ?? 0),
    };
  });
  const ran = deltas.filter((d) => d.calls > 0).sort((x, y) => y.ms - x.ms);
  const sum = (f: (d: (typeof ran)[number]) => number) => ran.reduce((t, d) => t + f(d), 0);
  const rows: [string, string][] = [
    [
      'SQL per 1,000 vehicles: statements, exec ms, plan ms, blocks hit; WAL bytes per vehicle (server, statements)',
      `${per1000(sum((d) => d.calls)).toFixed(1)}, ${per1000(sum((d) => d.ms)).toFixed(1)} ms, ${per1000(sum((d) => d.planMs)).toFixed(1)} ms, ${Math.round(per1000(sum((d) => d.blocksHit)))}; ${Math.round(walDistance(before.walLsn, after.walLsn) / vehicles)} B, ${Math.round(sum((d) => d.walBytes) / vehicles)} B`,
    ],
  ];
  for (const d of ran.slice(0, LISTED)) {
    rows.push([
      `  SQL ${oneLine(d.query)}`,
      `${per1000(d.ms).toFixed(2)} ms (plan ${per1000(d.planMs).toFixed(2)}), ${per1000(d.calls).toFixed(2)} calls, ${Math.round(per1000(d.rows))} rows, ${Math.round(per1000(d.blocksHit))} hit, ${Math.round(per1000(d.blocksRead))} read, ${Math.round(d.walBytes / vehicles)} B WAL/vehicle`,
    ]);
  }
  return rows;
}
