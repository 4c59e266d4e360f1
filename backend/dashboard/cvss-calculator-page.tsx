import type { AuthUser } from '../http/auth.ts';
import { assessCanonical, cvssMetricGroups, CvssVectorError } from '../vulnerabilities/cvss.ts';
import type { CvssAssessment } from '../vulnerabilities/cvss.ts';
import { requireOperation } from './context.ts';
import type { DashboardApp, PageContext } from './context.ts';
import { Flash, Page } from './layout.tsx';

// The CVSS calculator: every metric of v3.1 (base, temporal, environmental) and v4.0 (base,
// threat, environmental, supplemental) as a plain GET form, scored on the server by the backend's
// one CVSS implementation (no second calculator in the browser).

type Version = '3.1' | '4.0';
const GROUP_TITLES: Record<string, string> = {
  base: 'Base',
  temporal: 'Temporal',
  environmental: 'Environmental',
  threat: 'Threat',
  'environmental-security-requirement': 'Environmental: security requirements',
  'environmental-base': 'Environmental: modified base metrics',
  supplemental: 'Supplemental (never changes the score)',
};

/** The vector the form's fields spell, undefined (X) metrics left out. */
function vectorFrom(version: Version, query: Record<string, string>): string {
  const parts = cvssMetricGroups(version).flatMap((g) =>
    g.metrics.map((m) => [m.short, (query[`m.${m.short}`] ?? '').trim()] as const),
  );
  const defined = parts.filter(([, v]) => v !== '' && v !== 'X').map(([k, v]) => `${k}:${v}`);
  return `CVSS:${version}/${defined.join('/')}`;
}

function MetricForm(props: { version: Version; selected: Map<string, string> }) {
  return (
    <form method="get" action="/ui/cvss" aria-label={`CVSS ${props.version}`} class="card">
      <input type="hidden" name="version" value={props.version} />
      {cvssMetricGroups(props.version).map((g) => (
        <fieldset>
          <legend>{GROUP_TITLES[g.group] ?? g.group}</legend>
          {g.metrics.map((m) => (
            <label>
              {m.name} ({m.short}){' '}
              <select name={`m.${m.short}`} aria-label={`${m.short} ${m.name}`}>
                {m.values.map((v) => (
                  <option value={v.short} selected={(props.selected.get(m.short) ?? 'X') === v.short}>
                    {v.short === 'X' ? 'Not defined (X)' : `${v.name} (${v.short})`}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </fieldset>
      ))}
      <button type="submit">Score CVSS {props.version}</button>
    </form>
  );
}

function Result(props: { result: CvssAssessment }) {
  const r = props.result;
  return (
    <section aria-label="Score" class="card" data-testid="cvss-result">
      <p>
        <span class={`badge sev-${r.severity}`}>
          {r.severity} {r.score.toFixed(1)}
        </span>{' '}
        <code>{r.vector}</code>
      </p>
      {r.version === '3.1' ? (
        <dl class="facts">
          <dt>Base</dt>
          <dd>{r.scores.base.toFixed(1)}</dd>
          <dt>Temporal</dt>
          <dd>{r.scores.temporal?.toFixed(1) ?? '—'}</dd>
          <dt>Environmental</dt>
          <dd>{r.scores.environmental?.toFixed(1) ?? '—'}</dd>
        </dl>
      ) : (
        <p>
          Nomenclature: <strong>{r.nomenclature}</strong>
        </p>
      )}
    </section>
  );
}

function CalculatorPage(props: {
  user: AuthUser;
  csrf: string;
  version: Version;
  vector: string;
  result: CvssAssessment | null;
  error: string | null;
}) {
  const shown = props.result?.vector ?? props.vector;
  const selected = new Map(
    shown
      .split('/')
      .slice(1)
      .map((p) => p.split(':') as [string, string]),
  );
  return (
    <Page title="CVSS calculator" section="vulnerabilities" user={props.user} csrf={props.csrf}>
      <h1>CVSS calculator</h1>
      <p class="hint">
        Scored by the backend's CVSS implementation, the same one that scores assessments. Other version:{' '}
        <a href={`/ui/cvss?version=${props.version === '3.1' ? '4.0' : '3.1'}`}>
          CVSS {props.version === '3.1' ? '4.0' : '3.1'}
        </a>
        .
      </p>
      <form method="get" action="/ui/cvss" class="inline" aria-label="Vector">
        <label>
          Vector <input name="vector" value={shown} size={100} />
        </label>{' '}
        <button type="submit">Score vector</button>
      </form>
      <Flash kind="error" text={props.error ?? undefined} />
      {props.result ? <Result result={props.result} /> : null}
      <MetricForm version={props.version} selected={selected} />
    </Page>
  );
}

export function registerCvssCalculatorPage(app: DashboardApp, ctx: PageContext): void {
  app.get('/cvss', requireOperation(ctx.roles, 'get /api/vulnerabilities'), (c) => {
    const query = c.req.query();
    const typed = (query.vector ?? '').trim();
    const version: Version = typed.startsWith('CVSS:4.0/') || (!typed && query.version === '4.0') ? '4.0' : '3.1';
    const fromForm = Object.keys(query).some((k) => k.startsWith('m.'));
    const vector = typed || (fromForm ? vectorFrom(version, query) : '');
    let result: CvssAssessment | null = null;
    let error: string | null = null;
    if (vector) {
      try {
        result = assessCanonical(vector);
      } catch (err) {
        if (!(err instanceof CvssVectorError)) throw err;
        error = `vector: ${err.message}`;
      }
    }
    const page = <CalculatorPage user={c.get('user')} csrf={c.get('csrf')} {...{ version, vector, result, error }} />;
    return c.html(page, error ? 422 : 200);
  });
}
