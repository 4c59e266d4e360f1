import { Command } from 'commander';
import { addFlags } from '../../runtime/cli-flags.ts';
import { addEnv } from '../../runtime/env-config.ts';
import type { Actor } from '../audit/service.ts';
import type { Db } from '../db/database.ts';
import type { ParsedAdvisory } from './advisories/advisory.ts';
import { ADVISORIES_ENV, ADVISORIES_FLAGS } from './cli-flags.ts';

// Offline advisory import and matching against the backend's database (DATABASE_URL, or the
// embedded one under DATA_DIR): `npm run advisories -- import --as sofia osv-export.zip csaf/`. Commands
// load the database and parsers when they run, so `--help` answers without them.

const program = addEnv(
  new Command('advisories').description('vulnerability advisories: import and match'),
  ADVISORIES_ENV,
);

async function withDb<T>(as: string, run: (db: Db, actor: Actor) => Promise<T>): Promise<T> {
  const { openDatabaseFromEnv } = await import('../db/from-env.ts');
  const { db } = await openDatabaseFromEnv();
  try {
    const user = await db.selectFrom('users').select(['id', 'name']).where('name', '=', as).executeTakeFirst();
    if (!user) throw new Error(`no user named "${as}" (--as names the security engineer the audit log records)`);
    return await run(db, { userId: user.id, name: user.name });
  } finally {
    await db.destroy();
  }
}

addFlags(program.command('import'), ADVISORIES_FLAGS.import)
  .description('import OSV records (JSON, directories, osv.dev export zips) and CSAF 2.0 documents, then match')
  .argument('<paths...>', 'files (.json, .zip) or directories')
  .action(async (paths: string[], o: { as: string }) => {
    const { AdvisoryError } = await import('./advisories/advisory.ts');
    const { readAdvisoryPath } = await import('./advisories/files.ts');
    const { importAdvisories } = await import('./advisories/service.ts');
    const advisories: ParsedAdvisory[] = [];
    for (const p of paths) {
      try {
        advisories.push(...(await readAdvisoryPath(p)));
      } catch (err) {
        if (err instanceof AdvisoryError) throw new Error(`${p}: ${err.message}`, { cause: err });
        throw err;
      }
    }
    const s = await withDb(o.as, (db, actor) => importAdvisories(db, actor, advisories));
    console.log(
      `advisories: ${s.created.length} new, ${s.updated.length} updated, ${s.unchanged.length} unchanged; ` +
        `findings: ${s.matching.newFindings} new; vulnerabilities created: ${s.matching.createdVulnerabilities.join(', ') || 'none'}`,
    );
  });

addFlags(program.command('match'), ADVISORIES_FLAGS.match)
  .description('match every SBOM component against every advisory (idempotent)')
  .action(async (o: { as: string }) => {
    const { runMatching } = await import('./matching/service.ts');
    const s = await withDb(o.as, (db, actor) => runMatching(db, actor, { all: true }));
    console.log(
      `findings: ${s.newFindings} new; vulnerabilities created: ${s.createdVulnerabilities.join(', ') || 'none'}`,
    );
  });

await program.parseAsync().catch((error: unknown) => {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
});
