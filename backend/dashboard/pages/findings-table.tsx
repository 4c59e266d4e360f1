import type { Finding } from '../../vulnerabilities/matching/findings.ts';
import { loadVulnerability } from '../../vulnerabilities/service.ts';
import type { Vulnerability } from '../../vulnerabilities/service.ts';
import type { PageContext } from '../context.ts';
import { formatTime, humanize } from '../format.ts';
import { SeverityBadges } from './cvss-contexts.tsx';

// The findings table of the findings list and of the advisory import's result: each match with
// its VEX status (and a link to decide it, for those allowed) and the vulnerability's scores.

export const DECIDE_VEX = 'put /api/releases/{id}/vex/{vulnerabilityId}';

/** The vulnerabilities the findings belong to, each loaded once. */
export async function vulnerabilitiesOf(ctx: PageContext, findings: Finding[]): Promise<Map<number, Vulnerability>> {
  const out = new Map<number, Vulnerability>();
  for (const id of new Set(findings.map((f) => f.vulnerabilityId))) {
    out.set(id, await loadVulnerability(ctx.db, id, ctx.now()));
  }
  return out;
}

export function FindingsTable(props: {
  label: string;
  findings: Finding[];
  vulnerabilities: Map<number, Vulnerability>;
  canDecide: boolean;
}) {
  return (
    <table aria-label={props.label}>
      <thead>
        <tr>
          <th scope="col">Found</th>
          <th scope="col">Vulnerability</th>
          <th scope="col">Advisory</th>
          <th scope="col">Release</th>
          <th scope="col">Component</th>
          <th scope="col">ECUs</th>
          <th scope="col">VEX</th>
          <th scope="col">Severity</th>
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
            <td>
              {f.vex ? humanize(f.vex) : <span class="hint">none</span>}
              {props.canDecide ? (
                <>
                  {' '}
                  <a href={`/ui/releases/${f.release.id}/vex/${f.vulnerabilityId}`}>Decide</a>
                </>
              ) : null}
            </td>
            <td>
              <SeverityBadges v={props.vulnerabilities.get(f.vulnerabilityId)} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
