/**
 * Audit anchoring over a long log: N entries (--entries, default 50,000) on DATABASE_URL's
 * PostgreSQL (PGlite without it). Measures the first anchoring of the whole log (what a backend
 * does on its first start over an existing log), an incremental checkpoint of 100 new entries,
 * verify-audit against the checkpoints, and the checkpoint file's size per entry, beside the
 * database-only chain recomputation (verifyAuditChain) that reads the same rows.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuditChain } from '../backend/audit/chain.ts';
import { startCheckpointer } from '../backend/audit/checkpointer.ts';
import { verifyAnchoredAudit } from '../backend/audit/verify-anchored.ts';
import { ed25519SignerFromSeed, seedFromLabel } from '@ota/protocol/keys';
import { appendEntries, insertEntries, recompute } from '../test/integration/backend/audit-tampering.ts';
import { createTestDatabase } from '../test/support/db.ts';

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

export default async function auditAnchorBench(args: string[]): Promise<void> {
  const at = args.indexOf('--entries');
  const entries = at >= 0 ? Number(args[at + 1]) : 50_000;
  if (!Number.isSafeInteger(entries) || entries < 1) throw new Error(`--entries must be a positive integer`);
  const dir = await mkdtemp(join(tmpdir(), 'audit-anchor-bench-'));
  const testDb = await createTestDatabase();
  const db = testDb.db;
  try {
    const log = recompute(
      Array.from({ length: entries }, (_, i) => ({
        at: new Date(1_700_000_000_000 + i * 1000).toISOString(),
        actor: `user:${i % 50}:bench`,
        action: 'campaign.vehicle_reports',
        entityType: 'campaign',
        entityId: String(i % 20),
        before: null,
        after: { reports: i % 200, states: { succeeded: i % 7, failed: i % 3 } },
        details: null,
        reason: null,
      })),
    );
    await insertEntries(db, log);
    const signer = ed25519SignerFromSeed(seedFromLabel('audit anchor bench'));
    const file = join(dir, 'checkpoints.jsonl');
    const checkpointer = await startCheckpointer({ db, signer, file, everyEntries: 100, intervalMs: 3_600_000 });
    const first = await timed(() => checkpointer.checkpointNow());
    await appendEntries(db, 100, 'incremental');
    const incremental = await timed(() => checkpointer.checkpointNow());
    await checkpointer.stop();
    const bytes = (await stat(file)).size;
    const chainOnly = await timed(() => verifyAuditChain(db));
    const anchored = await timed(() =>
      verifyAnchoredAudit(db, { checkpointFile: file, publicKeyHex: signer.publicKey.keyval.public }),
    );
    if (!anchored.value.ok || !chainOnly.value.ok) throw new Error('the bench log did not verify');
    const total = entries + 100;
    const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString('en')}/s`;
    console.log(`${total.toLocaleString('en')} audit entries on ${testDb.engine}, checkpoints every 100 entries\n`);
    console.log('| what | time | rate |');
    console.log('| --- | --- | --- |');
    console.log(`| first anchoring of ${entries} entries | ${first.ms.toFixed(0)} ms | ${rate(entries, first.ms)} |`);
    console.log(`| incremental checkpoint of 100 entries | ${incremental.ms.toFixed(1)} ms | |`);
    console.log(
      `| verify-audit against the checkpoints | ${anchored.ms.toFixed(0)} ms | ${rate(total, anchored.ms)} |`,
    );
    console.log(`| peer: chain recomputation alone | ${chainOnly.ms.toFixed(0)} ms | ${rate(total, chainOnly.ms)} |`);
    console.log(
      `\ncheckpoint file: ${bytes.toLocaleString('en')} bytes, ${(bytes / total).toFixed(1)} bytes per entry`,
    );
  } finally {
    await testDb.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
