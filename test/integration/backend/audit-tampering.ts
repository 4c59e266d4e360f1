// What an attacker with the database owner's rights does to the audit log: rewrite entries and
// recompute the whole chain so that it verifies on its own, move the head, truncate and rebuild.
// Only the signed checkpoints outside the database can tell.
import { sql } from 'kysely';
import type { Db } from '../../../backend/db/database.ts';
import { appendAudit, entryHash, SYSTEM_ACTOR, toAuditEntry } from '../../../backend/audit/service.ts';
import type { AuditEntry } from '../../../backend/audit/service.ts';
import { GENESIS } from '../../../backend/audit/chain.ts';

/** Appends `count` ordinary entries, each in its own transaction as the services do. */
export async function appendEntries(db: Db, count: number, label = 'entry'): Promise<void> {
  for (let i = 0; i < count; i++) {
    await db.transaction().execute((trx) =>
      appendAudit(trx, {
        actor: SYSTEM_ACTOR,
        action: `test.${label}`,
        entityType: 'test',
        entityId: i,
        after: { n: i, note: `${label} ${i}` },
        reason: i % 3 === 0 ? 'because' : null,
      }),
    );
  }
}

export async function readEntries(db: Db): Promise<AuditEntry[]> {
  return (await db.selectFrom('audit_log').selectAll().orderBy('seq').execute()).map(toAuditEntry);
}

export async function entryHashAt(db: Db, seq: number): Promise<string> {
  const row = await db.selectFrom('audit_log').select('hash').where('seq', '=', String(seq)).executeTakeFirstOrThrow();
  return row.hash;
}

/** Runs `work` with both append-only triggers disabled, as the table owner can. */
export async function withTriggersDisabled<T>(db: Db, work: () => Promise<T>): Promise<T> {
  await sql`ALTER TABLE audit_log DISABLE TRIGGER USER`.execute(db);
  try {
    return await work();
  } finally {
    await sql`ALTER TABLE audit_log ENABLE TRIGGER USER`.execute(db);
  }
}

/** Renumbers from 1, relinks and rehashes: a chain that is consistent in itself. */
export function recompute(entries: readonly Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>[]): AuditEntry[] {
  let prevHash = GENESIS.hash;
  return entries.map((e, i) => {
    const { at, actor, action, entityType, entityId, before, after, details, reason } = e;
    const unhashed = { seq: i + 1, at, actor, action, entityType, entityId, before, after, details, reason, prevHash };
    prevHash = entryHash(unhashed);
    return { ...unhashed, hash: prevHash };
  });
}

/** Inserts entries as they are (one statement per 500) and points the head at the last. */
export async function insertEntries(db: Db, entries: readonly AuditEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += 500) {
    await db
      .insertInto('audit_log')
      .values(
        entries.slice(i, i + 500).map((e) => ({
          seq: e.seq,
          at: e.at,
          actor: e.actor,
          action: e.action,
          entity_type: e.entityType,
          entity_id: e.entityId,
          before: JSON.stringify(e.before),
          after: JSON.stringify(e.after),
          details: JSON.stringify(e.details),
          reason: e.reason,
          prev_hash: e.prevHash,
          hash: e.hash,
        })),
      )
      .execute();
  }
  const head = entries.at(-1);
  if (head) await db.updateTable('audit_head').set({ seq: head.seq, hash: head.hash }).execute();
}

async function replaceLog(db: Db, entries: readonly AuditEntry[]): Promise<void> {
  await sql`DELETE FROM audit_log`.execute(db);
  await db.updateTable('audit_head').set({ seq: GENESIS.seq, hash: GENESIS.hash }).execute();
  await insertEntries(db, entries);
}

/** Changes the entry list, then recomputes the whole chain and moves the head to its end. */
export async function rewriteChain(db: Db, change: (entries: AuditEntry[]) => AuditEntry[]): Promise<void> {
  const entries = change(await readEntries(db));
  await withTriggersDisabled(db, () => replaceLog(db, recompute(entries)));
}

/** TRUNCATE, reset the head, and write a fresh chain of `count` entries through the normal path. */
export async function truncateAndRebuild(db: Db, count: number): Promise<void> {
  await withTriggersDisabled(db, async () => {
    await sql`TRUNCATE audit_log`.execute(db);
    await db.updateTable('audit_head').set({ seq: GENESIS.seq, hash: GENESIS.hash }).execute();
  });
  await appendEntries(db, count, 'rebuilt');
}
