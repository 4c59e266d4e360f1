/**
 * verify-audit: checks the audit log in the database (DATABASE_URL, or the embedded one under
 * DATA_DIR) against the signed checkpoints and any heads given with --expect-head.
 *
 *   npm run -s verify-audit -- [--checkpoints FILE] [--public-key FILE|HEX] [--expect-head SEQ:HASH]...
 *
 * Exit status 0 with a one-line summary when intact; 1 naming the first bad entry when not;
 * 2 when it cannot check (bad arguments, unreadable key, no database).
 */
import { Command } from 'commander';
import { addFlags } from '../../runtime/cli-flags.ts';
import { addEnv, parseEnv } from '../../runtime/env-config.ts';
import { formatHead, type ExpectedHead } from './expected-head.ts';
import type { AnchoredVerification } from './verify-anchored.ts';
import { VERIFY_AUDIT_ENV, VERIFY_AUDIT_FLAGS } from './verify-cli-flags.ts';

/** The report: one line when intact; the first bad entry first when not. */
function describeVerification(result: AnchoredVerification): string[] {
  const s = result.summary;
  const cp = s.latestCheckpoint;
  const anchoredPart = cp
    ? `latest signed checkpoint ${cp.seq} (${cp.at}, ${s.checkpoints} checkpoints${s.entries > cp.seq ? `, ${s.entries - cp.seq} entries after it chain on` : ''})`
    : 'no checkpoint';
  const extras = [
    s.expectedHeadsMatched > 0 ? `${s.expectedHeadsMatched} expected head(s) matched` : '',
    s.tornLines > 0 ? `${s.tornLines} torn line(s) ignored` : '',
  ].filter(Boolean);
  if (result.ok) {
    return [
      `audit log intact: ${s.entries} entries, head ${formatHead(s.head)}; ${[anchoredPart, ...extras].join('; ')}`,
    ];
  }
  const [first, ...rest] = result.problems;
  const lead =
    result.firstBadSeq === null ? 'audit log NOT verified' : `audit log BROKEN at entry ${result.firstBadSeq}`;
  return [`${lead}: ${first}`, ...rest.map((p) => `  also: ${p}`)];
}

const program = addEnv(
  addFlags(
    new Command('verify-audit').description(
      'check the audit log against its signed checkpoints; exit 1 naming the first bad entry',
    ),
    VERIFY_AUDIT_FLAGS,
  ),
  VERIFY_AUDIT_ENV,
).action(async (o: { checkpoints?: string; publicKey?: string; expectHead: ExpectedHead[] }) => {
  // Loaded when it runs, so `--help` answers without the database code.
  const { openDatabaseFromEnv } = await import('../db/from-env.ts');
  const { auditPublicKeyFile, readAuditPublicKey } = await import('../keys/audit-key.ts');
  const { auditAnchorFiles } = await import('./anchor-config.ts');
  const { verifyAnchoredAudit } = await import('./verify-anchored.ts');
  const config = auditAnchorFiles(await parseEnv(VERIFY_AUDIT_ENV, process.env));
  const publicKeyHex = await readAuditPublicKey(o.publicKey ?? auditPublicKeyFile(config.keyFile));
  const { db } = await openDatabaseFromEnv();
  try {
    const result = await verifyAnchoredAudit(db, {
      checkpointFile: o.checkpoints ?? config.checkpointFile,
      publicKeyHex,
      expectHeads: o.expectHead,
    });
    const [line, ...more] = describeVerification(result);
    if (result.ok) console.log(line);
    else for (const l of [line, ...more]) console.error(l);
    process.exitCode = result.ok ? 0 : 1;
  } finally {
    await db.destroy();
  }
});

program.exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
await program.parseAsync().catch((error: unknown) => {
  console.error(`verify-audit: ${(error as Error).message}`);
  process.exitCode = 2;
});
