// `npm run verify-audit` as a child process, on the database the test wrote (the server database
// by URL, or an embedded data directory the test closes while the child runs).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCheckpointer } from '../../../backend/audit/checkpointer.ts';
import { createDatabase } from '../../../backend/db/database.ts';
import type { Db } from '../../../backend/db/database.ts';
import { migrateToLatest } from '../../../backend/db/migrate.ts';
import { auditKeyFile, auditPublicKeyFile, loadOrCreateAuditKey } from '../../../backend/keys/audit-key.ts';
import { createTestDatabase } from '../../support/db.ts';
import type { TestDatabase } from '../../support/db.ts';
import { appendEntries, entryHashAt, rewriteChain } from './audit-tampering.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

let dir: string;
let server: TestDatabase | undefined;
let db: Db;
let env: NodeJS.ProcessEnv;
const pgliteDir = () => join(dir, 'data', 'pglite');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'verify-audit-cli-'));
  env = { ...process.env, KEYS_DIR: join(dir, 'keys'), AUDIT_CHECKPOINT_FILE: join(dir, 'audit', 'checkpoints.jsonl') };
  delete env.AUDIT_KEY_FILE;
  if (process.env.DATABASE_URL) {
    server = await createTestDatabase();
    db = server.db;
    env.DATABASE_URL = server.url!;
  } else {
    delete env.DATABASE_URL;
    env.DATA_DIR = join(dir, 'data');
    await mkdir(pgliteDir(), { recursive: true });
    db = createDatabase({ dataDir: pgliteDir() });
    await migrateToLatest(db);
  }
}, 120_000);
afterAll(async () => {
  await (server ? server.destroy() : db.destroy());
  await rm(dir, { recursive: true, force: true });
});

/** Runs verify-audit; an embedded database is closed meanwhile (PGlite serves one process). */
async function verifyAudit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  if (!server) await db.destroy();
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'backend/audit/verify-cli.ts', ...args],
      {
        cwd: ROOT,
        env,
        timeout: 120_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  } finally {
    if (!server) db = createDatabase({ dataDir: pgliteDir() });
  }
}

describe('verify-audit (the command)', () => {
  it('exits 0 with one line when intact, 1 naming the first bad entry after a rewrite, 2 on bad arguments', async () => {
    const { signer, created } = await loadOrCreateAuditKey(auditKeyFile(env));
    expect(created).toBe(true);
    expect((await readFile(auditPublicKeyFile(auditKeyFile(env)), 'utf8')).trim()).toBe(signer.publicKey.keyval.public);
    await appendEntries(db, 12);
    const checkpointer = await startCheckpointer({
      db,
      signer,
      file: env.AUDIT_CHECKPOINT_FILE!,
      everyEntries: 5,
      intervalMs: 3_600_000,
    });
    expect(await checkpointer.stop()).toMatchObject({ kind: 'written', seq: 12 });
    const head = `12:${await entryHashAt(db, 12)}`;

    const good = await verifyAudit('--expect-head', head);
    expect(good).toMatchObject({ code: 0, stderr: '' });
    expect(good.stdout).toMatch(
      /^audit log intact: 12 entries, head 12:[0-9a-f]{64}; latest signed checkpoint 12 \(\S+, 3 checkpoints\); 1 expected head\(s\) matched\n$/,
    );

    await rewriteChain(db, (entries) => entries.map((e) => (e.seq === 4 ? { ...e, actor: 'mallory' } : e)));
    const bad = await verifyAudit('--expect-head', head);
    expect(bad.code).toBe(1);
    expect(bad.stderr.split('\n')[0]).toMatch(
      /^audit log BROKEN at entry 4: entry 4 is not the entry checkpoint 5 signed/,
    );

    const usage = await verifyAudit('--expect-head', '12:nothex');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/expected SEQ:HASH/);
    const noKey = await verifyAudit('--public-key', join(dir, 'missing.pub'));
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/cannot read the audit public key .*missing\.pub/);
  }, 300_000); // four starts of a TypeScript process on a loaded machine
});
