import type { AuthUser } from '../http/auth.ts';
import { listFindings } from '../vulnerabilities/matching/findings.ts';
import type { Finding } from '../vulnerabilities/matching/findings.ts';
import type { Vulnerability } from '../vulnerabilities/service.ts';
import { requireOperation } from './context.ts';
import type { DashboardApp, PageContext } from './context.ts';
import { takeFlash } from './flash.ts';
import type { FlashMessage } from './flash.ts';
import { Flash, Page } from './layout.tsx';
import { DECIDE_VEX, FindingsTable, vulnerabilitiesOf } from './pages/findings-table.tsx';

// Vulnerability monitoring's findings list: what matching found, newest first.

interface FindingsProps {
  user: AuthUser;
  csrf: string;
  findings: Finding[];
  vulnerabilities: Map<number, Vulnerability>;
  canDecide: boolean;
  flash: FlashMessage | null;
}

function FindingsPage(props: FindingsProps) {
  return (
    <Page title="Findings" section="vulnerabilities" user={props.user} csrf={props.csrf}>
      <h1>Findings</h1>
      <Flash kind={props.flash?.kind ?? 'ok'} text={props.flash?.text} />
      <p>
        <a href="/ui/advisories/import">Import advisories</a> · <a href="/ui/cvss">CVSS calculator</a>
      </p>
      <p class="hint">
        Advisories matched against the components of each release's SBOM, newest first. A VEX statement of not affected
        takes the release out of the vulnerability's vehicle count.
      </p>
      {props.findings.length === 0 ? (
        <p>No findings yet: upload SBOMs and import advisories.</p>
      ) : (
        <FindingsTable
          label="Findings"
          findings={props.findings}
          vulnerabilities={props.vulnerabilities}
          canDecide={props.canDecide}
        />
      )}
    </Page>
  );
}

export function registerFindingsPages(app: DashboardApp, ctx: PageContext): void {
  const canList = requireOperation(ctx.roles, 'get /api/findings');
  app.get('/findings', canList, async (c) => {
    const findings = await listFindings(ctx.db, { limit: 500 });
    const vulnerabilities = await vulnerabilitiesOf(ctx, findings);
    const user = c.get('user');
    const canDecide = ctx.roles.allows(user, DECIDE_VEX);
    const props = { user, csrf: c.get('csrf'), findings, vulnerabilities, canDecide, flash: takeFlash(c) };
    return c.html(<FindingsPage {...props} />);
  });
}
