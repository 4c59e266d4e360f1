// The audit log against an attacker who owns the database: every rewrite below leaves a chain that
// verifies on its own (verifyAuditChain says ok), and verify-audit still names the first bad entry
// from the signed checkpoints outside the database.
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ed25519SignerFromSeed, seedFromLabel } from '@ota/protocol/keys';
import { verifyAuditChain } from '../../../backend/audit/chain.ts';
import { signCheckpoint } from '../../../backend/audit/checkpoint.ts';
import { readLatestCheckpoint } from '../../../backend/audit/checkpoint-file.ts';
import { startCheckpointer } from '../../../backend/audit/checkpointer.ts';
import type { Checkpointer } from '../../../backend/audit/checkpointer.ts';
import { quoteAuditAnchor } from '../../../backend/audit/anchor-quote.ts';
import { verifyAnchoredAudit } from '../../../backend/audit/verify-anchored.ts';
import type { ExpectedHead } from '../../../backend/audit/expected-head.ts';
import type { Db } from '../../../backend/db/database.ts';
import { createTestDatabase } from '../../support/db.ts';
import type { TestDatabase } from '../../support/db.ts';
import {
  appendEntries,
  entryHashAt,
  readEntries,
  rewriteChain,
  truncateAndRebuild,
  withTriggersDisabled,
} from './audit-tampering.ts';

const signer = ed25519SignerFromSeed(seedFromLabel('audit anchoring test key'));
const publicKeyHex = signer.publicKey.keyval.public;

let dir: string;
let fileNo = 0;
const open: TestDatabase[] = [];
const alarms: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audit-anchoring-'));
});
const running: Checkpointer[] = [];
afterEach(async () => {
  // Their timers stop before their databases go (a stop on a tampered log only raises an alarm).
  for (const c of running.splice(0)) await c.stop().catch(() => undefined);
  for (const t of open.splice(0)) await t.destroy();
  alarms.length = 0;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Anchored {
  db: Db;
  file: string;
  checkpointer: Checkpointer;
  verify(expectHeads?: ExpectedHead[]): ReturnType<typeof verifyAnchoredAudit>;
}

/** 25 entries anchored by checkpoints every 10 entries: 1..10, 11..20, 21..25. */
async function anchoredLog(entries = 25, everyEntries = 10): Promise<Anchored> {
  const t = await createTestDatabase();
  open.push(t);
  await appendEntries(t.db, entries);
  fileNo += 1;
  const file = join(dir, `checkpoints-${fileNo}.jsonl`);
  const checkpointer = await startCheckpointer({
    db: t.db,
    signer,
    file,
    everyEntries,
    intervalMs: 3_600_000,
    alarm: (line) => alarms.push(line),
  });
  running.push(checkpointer);
  expect(await checkpointer.checkpointNow()).toEqual({ kind: 'written', checkpoints: 3, seq: entries });
  return {
    db: t.db,
    file,
    checkpointer,
    verify: (expectHeads = []) => verifyAnchoredAudit(t.db, { checkpointFile: file, publicKeyHex, expectHeads }),
  };
}

async function lines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).trim().split('\n');
}

describe('verify-audit against signed checkpoints', () => {
  it('passes an untampered log, with the latest checkpoint and the tail after it', async () => {
    const log = await anchoredLog();
    await appendEntries(log.db, 2, 'tail');
    const result = await log.verify([{ seq: 27, hash: await entryHashAt(log.db, 27) }]);
    expect(result).toMatchObject({
      ok: true,
      summary: {
        entries: 27,
        head: { seq: 27 },
        checkpoints: 3,
        latestCheckpoint: { from: 21, seq: 25 },
        expectedHeadsMatched: 1,
        tornLines: 0,
      },
    });
    await log.checkpointer.stop();
  });

  it('names the edited entry after the whole chain was recomputed', async () => {
    const log = await anchoredLog();
    await rewriteChain(log.db, (entries) =>
      entries.map((e) => (e.seq === 7 ? { ...e, reason: 'approved by nobody in particular' } : e)),
    );
    expect((await verifyAuditChain(log.db)).ok).toBe(true);
    expect(await log.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 7,
      problems: [expect.stringMatching(/^entry 7 is not the entry checkpoint 10 signed .* covers/)],
    });
  });

  it('names the deleted entry after the rest was renumbered and recomputed', async () => {
    const log = await anchoredLog();
    await rewriteChain(log.db, (entries) => entries.filter((e) => e.seq !== 12));
    expect((await verifyAuditChain(log.db)).ok).toBe(true);
    expect(await log.verify()).toMatchObject({ ok: false, firstBadSeq: 12 });
  });

  it('names the first of two reordered entries', async () => {
    const log = await anchoredLog();
    await rewriteChain(log.db, (entries) => {
      const copy = [...entries];
      [copy[14], copy[15]] = [copy[15]!, copy[14]!];
      return copy;
    });
    expect((await verifyAuditChain(log.db)).ok).toBe(true);
    expect(await log.verify()).toMatchObject({ ok: false, firstBadSeq: 15 });
  });

  it('names the first entry of a tail that was cut off with the head moved back', async () => {
    const log = await anchoredLog();
    await rewriteChain(log.db, (entries) => entries.filter((e) => e.seq <= 20));
    expect(await verifyAuditChain(log.db)).toMatchObject({ ok: true, entries: 20 });
    expect(await log.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 21,
      problems: [expect.stringMatching(/^entries 21\.\.25 are missing, yet checkpoint 25 signed/)],
    });
  });

  it('catches a tail cut after the latest checkpoint by the head an export printed', async () => {
    const log = await anchoredLog();
    await appendEntries(log.db, 3, 'unanchored');
    const printed = (await quoteAuditAnchor(log.db, log.file)).head;
    expect(printed.seq).toBe(28);
    await rewriteChain(log.db, (entries) => entries.filter((e) => e.seq <= 26));
    // Nothing signed covers 27 and 28 yet: the chain alone is consistent...
    expect((await log.verify()).ok).toBe(true);
    // ...but not with the head the evidence export printed.
    expect(await log.verify([printed])).toMatchObject({
      ok: false,
      firstBadSeq: 27,
      problems: [expect.stringMatching(/entry 28 \(an expected head\) is missing: the log ends at 26/)],
    });
  });

  it('names the first unanchored entry when an expected head no longer matches after a rewrite', async () => {
    const log = await anchoredLog();
    await appendEntries(log.db, 3, 'unanchored');
    const printed = { seq: 28, hash: await entryHashAt(log.db, 28) };
    await rewriteChain(log.db, (entries) => entries.map((e) => (e.seq === 27 ? { ...e, actor: 'mallory' } : e)));
    // Entries up to 25 are proven by the checkpoints; 26 onwards only by the printed head.
    expect(await log.verify([printed])).toMatchObject({ ok: false, firstBadSeq: 26 });
  });

  it('names entry 1 after TRUNCATE and a fresh, consistent chain', async () => {
    const log = await anchoredLog();
    await truncateAndRebuild(log.db, 30);
    expect(await verifyAuditChain(log.db)).toMatchObject({ ok: true, entries: 30 });
    expect(await log.verify()).toMatchObject({ ok: false, firstBadSeq: 1 });
  });

  it('reports a disabled append-only trigger, and names an entry edited while it was off', async () => {
    const log = await anchoredLog();
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(log.db);
    expect(await log.verify()).toMatchObject({
      ok: false,
      firstBadSeq: null,
      problems: ['trigger audit_log_append_only on audit_log is disabled'],
    });
    await sql`UPDATE audit_log SET actor = 'mallory' WHERE seq = 18`.execute(log.db);
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(log.db);
    expect(await log.verify()).toMatchObject({
      ok: false,
      firstBadSeq: 18,
      problems: ['entry 18 was altered (hash mismatch)'],
    });
    await withTriggersDisabled(log.db, () => sql`DROP TRIGGER audit_log_no_truncate ON audit_log`.execute(log.db));
    expect(await log.verify()).toMatchObject({
      problems: expect.arrayContaining(['trigger audit_log_no_truncate on audit_log was dropped']),
    });
  });

  it('catches the head row moved back alone', async () => {
    const log = await anchoredLog();
    const hash20 = await entryHashAt(log.db, 20);
    await log.db.updateTable('audit_head').set({ seq: 20, hash: hash20 }).execute();
    expect(await log.verify()).toMatchObject({ ok: false, firstBadSeq: 21 });
  });

  it('catches a forged checkpoint line, a line signed by another key and a replayed line', async () => {
    const log = await anchoredLog();
    const [first, , last] = await lines(log.file);
    const forged = { ...JSON.parse(last!), at: '2020-01-01T00:00:00.000Z' };
    await appendFile(log.file, `${JSON.stringify(forged)}\n`);
    const result = await log.verify();
    expect(result).toMatchObject({ ok: false, firstBadSeq: null });
    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(/line 4 \(entries 21\.\.25\) is not signed by the checkpoint key: forged or altered$/),
    ]);

    const other = ed25519SignerFromSeed(seedFromLabel('not the backend'));
    const hashes = (await readEntries(log.db)).slice(0, 25).map((e) => e.hash);
    await appendFile(
      log.file,
      `${JSON.stringify(signCheckpoint(other, { from: 1, seq: 25, hashes, at: new Date() }))}\n${first}\n`,
    );
    const again = await log.verify();
    expect(again.ok ? [] : again.problems.slice(1)).toEqual([
      expect.stringMatching(/line 5 \(entries 1\.\.25\) is not signed by the checkpoint key/),
      expect.stringMatching(/line 6 covers entries 1\.\.10 but the previous checkpoint ended at 25$/),
    ]);
  });

  it('ignores a torn last line but reports a line that is not a checkpoint', async () => {
    const log = await anchoredLog();
    await appendFile(log.file, '{"v":1,"from":26,"se');
    expect(await log.verify()).toMatchObject({ ok: true, summary: { tornLines: 1 } });
    await appendFile(log.file, '\n{"v":2}\n');
    expect(await log.verify()).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/line 5 is not a checkpoint \(v: /)],
    });
  });

  it('fails when nothing anchors the log (no checkpoint file)', async () => {
    const log = await anchoredLog();
    const result = await verifyAnchoredAudit(log.db, { checkpointFile: join(dir, 'absent.jsonl'), publicKeyHex });
    expect(result).toMatchObject({
      ok: false,
      firstBadSeq: null,
      problems: [
        expect.stringMatching(/no valid signed checkpoint in .*absent\.jsonl: nothing anchors the 25 entries/),
      ],
    });
  });
});

describe('the checkpointer', () => {
  it('continues the file after a restart, on a timer, and at stop', async () => {
    const log = await anchoredLog();
    await log.checkpointer.stop();
    await appendEntries(log.db, 4, 'after restart');
    const restarted = await startCheckpointer({
      db: log.db,
      signer,
      file: log.file,
      everyEntries: 3,
      intervalMs: 3_600_000,
      pollMs: 20,
    });
    running.push(restarted);
    expect(restarted.anchored().seq).toBe(25);
    // 4 waiting >= 3: the timer writes 26..28 and 29..29 on its own.
    const deadline = Date.now() + 10_000;
    while (restarted.anchored().seq < 29 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(restarted.anchored().seq).toBe(29);
    await appendEntries(log.db, 1, 'before stop');
    expect(await restarted.stop()).toEqual({ kind: 'written', checkpoints: 1, seq: 30 });
    const seqs = (await lines(log.file)).map((l) => [JSON.parse(l).from, JSON.parse(l).seq]);
    expect(seqs).toEqual([
      [1, 10],
      [11, 20],
      [21, 25],
      [26, 28],
      [29, 29],
      [30, 30],
    ]);
    expect(await verifyAnchoredAudit(log.db, { checkpointFile: log.file, publicKeyHex })).toMatchObject({
      ok: true,
      summary: { entries: 30, checkpoints: 6 },
    });
  });

  it('anchors entries that waited the interval, however few', async () => {
    const log = await anchoredLog();
    await log.checkpointer.stop();
    const timed = await startCheckpointer({
      db: log.db,
      signer,
      file: log.file,
      everyEntries: 1000,
      intervalMs: 50,
      pollMs: 10,
    });
    running.push(timed);
    await appendEntries(log.db, 2, 'few');
    const deadline = Date.now() + 10_000;
    while (timed.anchored().seq < 27 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(timed.anchored().seq).toBe(27);
    expect(JSON.parse((await lines(log.file)).at(-1)!)).toMatchObject({ from: 26, seq: 27 });
  });

  it('refuses to sign a rewritten log, raising an alarm and writing nothing', async () => {
    const log = await anchoredLog();
    const before = await lines(log.file);
    await rewriteChain(log.db, (entries) => entries.map((e) => (e.seq === 3 ? { ...e, entityId: '999' } : e)));
    await appendEntries(log.db, 5, 'after the rewrite');
    expect(await log.checkpointer.checkpointNow()).toMatchObject({
      kind: 'refused',
      firstBadSeq: 25,
      problem: 'entry 25 no longer has the hash it was anchored with',
    });
    expect(alarms).toEqual([
      expect.stringMatching(/^audit anchoring: NOT signing entry 25 onwards: .*run verify-audit$/),
    ]);
    expect(await lines(log.file)).toEqual(before);
    await truncateAndRebuild(log.db, 3);
    expect(await log.checkpointer.checkpointNow()).toMatchObject({ kind: 'refused', firstBadSeq: 4 });
  });

  it('refuses to start on a file signed only by another key', async () => {
    const log = await anchoredLog();
    const other = ed25519SignerFromSeed(seedFromLabel('rotated key'));
    await expect(
      startCheckpointer({ db: log.db, signer: other, file: log.file, everyEntries: 10, intervalMs: 1000 }),
    ).rejects.toThrow(/holds checkpoints but none signed by this key/);
  });

  it('is quoted by the evidence export: the head and the latest checkpoint', async () => {
    const log = await anchoredLog();
    await appendEntries(log.db, 1, 'unanchored');
    const quote = await quoteAuditAnchor(log.db, log.file);
    expect(quote.head).toEqual({ seq: 26, hash: await entryHashAt(log.db, 26) });
    expect(quote.checkpoint).toEqual(await readLatestCheckpoint(log.file));
    expect(quote.checkpoint).toMatchObject({ seq: 25, keyId: signer.keyId });
  });
});
