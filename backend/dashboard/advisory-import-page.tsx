import type { AuthUser } from '../http/auth.ts';
import { AdvisoryError } from '../vulnerabilities/advisories/advisory.ts';
import { parseAdvisoryFile } from '../vulnerabilities/advisories/read.ts';
import { importAdvisories } from '../vulnerabilities/advisories/service.ts';
import type { ImportSummary } from '../vulnerabilities/advisories/service.ts';
import { listFindings } from '../vulnerabilities/matching/findings.ts';
import type { Finding } from '../vulnerabilities/matching/findings.ts';
import { actorFor, requireOperation } from './context.ts';
import type { DashboardApp, PageContext } from './context.ts';
import { Flash, Page } from './layout.tsx';
import { DECIDE_VEX, FindingsTable, vulnerabilitiesOf } from './pages/findings-table.tsx';
import type { Vulnerability } from '../vulnerabilities/service.ts';

// Advisory import from the browser: an OSV record or array, a CSAF 2.0 document, or an OSV export
// zip, read and stored by the same code as POST /api/advisories; the page then shows what was
// created, replaced or left unchanged and the findings of the vulnerabilities matching touched.

const IMPORT = 'post /api/advisories';

interface Outcome {
  file: string;
  summary: ImportSummary;
  findings: Finding[];
  vulnerabilities: Map<number, Vulnerability>;
  canDecide: boolean;
}

function Ids(props: { label: string; ids: string[] }) {
  return (
    <>
      <dt>{props.label}</dt>
      <dd data-testid={`import-${props.label.toLowerCase()}`}>
        {props.ids.length > 0 ? props.ids.join(', ') : <span class="hint">none</span>}
      </dd>
    </>
  );
}

function OutcomeView(props: { outcome: Outcome }) {
  const { summary, findings, file } = props.outcome;
  return (
    <section aria-label="Import result" class="card">
      <h2>Imported {file}</h2>
      <dl class="facts">
        <Ids label="Created" ids={summary.created} />
        <Ids label="Updated" ids={summary.updated} />
        <Ids label="Unchanged" ids={summary.unchanged} />
        <dt>New findings</dt>
        <dd>{summary.matching.newFindings}</dd>
        <dt>New vulnerabilities</dt>
        <dd>
          {summary.matching.createdVulnerabilities.map((id) => (
            <a href={`/ui/vulnerabilities/${id}`}>#{id} </a>
          ))}
        </dd>
      </dl>
      <FindingsTable
        label="Resulting findings"
        findings={findings}
        vulnerabilities={props.outcome.vulnerabilities}
        canDecide={props.outcome.canDecide}
      />
    </section>
  );
}

function ImportPage(props: { user: AuthUser; csrf: string; outcome?: Outcome; error?: string }) {
  return (
    <Page title="Import advisories" section="vulnerabilities" user={props.user} csrf={props.csrf}>
      <h1>Import advisories</h1>
      <p class="hint">
        An OSV record (or a JSON array of them), a CSAF 2.0 document, or a zip of OSV records as osv.dev exports them.
        The same advisory twice changes nothing; a newer <code>modified</code> replaces the stored one.
      </p>
      <Flash kind="error" text={props.error} />
      <form method="post" action="/ui/advisories/import" enctype="multipart/form-data" class="card">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <label>
          Advisory file <input type="file" name="file" accept=".json,.zip,application/json,application/zip" />
        </label>{' '}
        <button type="submit">Import</button>
      </form>
      {props.outcome ? <OutcomeView outcome={props.outcome} /> : null}
    </Page>
  );
}

export function registerAdvisoryImportPage(app: DashboardApp, ctx: PageContext): void {
  const canImport = requireOperation(ctx.roles, IMPORT);
  app.get('/advisories/import', canImport, (c) => c.html(<ImportPage user={c.get('user')} csrf={c.get('csrf')} />));

  app.post('/advisories/import', canImport, async (c) => {
    const user = c.get('user');
    const csrf = c.get('csrf');
    const raw = (await c.req.parseBody({ all: true })).file;
    const file = Array.isArray(raw) ? raw[0] : raw;
    if (!(file instanceof File) || file.size === 0) {
      return c.html(<ImportPage user={user} csrf={csrf} error="file: choose an OSV or CSAF JSON file or a zip" />, 422);
    }
    let advisories;
    try {
      advisories = parseAdvisoryFile(file.name, new Uint8Array(await file.arrayBuffer()));
    } catch (err) {
      if (!(err instanceof AdvisoryError)) throw err;
      return c.html(<ImportPage user={user} csrf={csrf} error={err.message} />, 422);
    }
    const summary = await importAdvisories(ctx.db, actorFor(user), advisories);
    const touched = new Set(summary.matching.vulnerabilityIds);
    const findings = (await listFindings(ctx.db, { limit: 1000 })).filter((f) => touched.has(f.vulnerabilityId));
    const outcome = {
      file: file.name,
      summary,
      findings,
      vulnerabilities: await vulnerabilitiesOf(ctx, findings),
      canDecide: ctx.roles.allows(user, DECIDE_VEX),
    };
    return c.html(<ImportPage user={user} csrf={csrf} outcome={outcome} />);
  });
}
