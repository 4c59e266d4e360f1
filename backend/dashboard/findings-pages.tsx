import type { AuthUser } from '../http/auth.ts';
import { listFindings } from '../vulnerabilities/matching/findings.ts';
import type { Finding } from '../vulnerabilities/matching/findings.ts';
import { requireOperation } from './context.ts';
import type { DashboardApp, PageContext } from './context.ts';
import { formatTime, humanize } from './format.ts';
import { Page } from './layout.tsx';

// Vulnerability monitoring's findings list: what matching found, newest first.

function FindingsPage(props: { user: AuthUser; csrf: string; findings: Finding[] }) {
  return (
    <Page title="Findings" section="vulnerabilities" user={props.user} csrf={props.csrf}>
      <h1>Findings</h1>
      <p class="hint">
        Advisories matched against the components of each release's SBOM, newest first. A VEX statement of not affected
        takes the release out of the vulnerability's vehicle count.
      </p>
      {props.findings.length === 0 ? (
        <p>No findings yet: upload SBOMs and import advisories.</p>
      ) : (
        <table aria-label="Findings">
          <thead>
            <tr>
              <th scope="col">Found</th>
              <th scope="col">Vulnerability</th>
              <th scope="col">Advisory</th>
              <th scope="col">Release</th>
              <th scope="col">Component</th>
              <th scope="col">ECUs</th>
              <th scope="col">VEX</th>
            </tr>
          </thead>
          <tbody>
            {props.findings.map((f) => (
              <tr>
                <td>{formatTime(f.foundAt)}</td>
                <td>
                  <a href={`/ui/vulnerabilities/${f.vulnerabilityId}`}>#{f.vulnerabilityId}</a>
                </td>
                <td>
                  {f.advisory.id}
                  {f.advisory.aliases.length > 0 ? <span class="hint"> ({f.advisory.aliases.join(', ')})</span> : null}
                </td>
                <td>
                  {f.release.hardwareId} {f.release.version}
                </td>
                <td>
                  {f.component.name} {f.component.version}
                  <span class="hint"> {f.component.purl ?? f.component.cpe}</span>
                </td>
                <td>{f.ecus}</td>
                <td>{f.vex ? humanize(f.vex) : <span class="hint">none</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

export function registerFindingsPages(app: DashboardApp, ctx: PageContext): void {
  const canList = requireOperation(ctx.roles, 'get /api/findings');
  app.get('/findings', canList, async (c) =>
    c.html(
      <FindingsPage user={c.get('user')} csrf={c.get('csrf')} findings={await listFindings(ctx.db, { limit: 500 })} />,
    ),
  );
}
