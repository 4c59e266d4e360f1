import type { CvssAssessment } from '../../vulnerabilities/cvss.ts';
import type { Vulnerability } from '../../vulnerabilities/service.ts';

// Base and contextual (per ECU context: ASIL and exposure from the fleet) CVSS scores, shown
// wherever a vulnerability is: the contextual one sets the deadline.

function Badge(props: { cvss: CvssAssessment; label: string }) {
  return (
    <span class={`badge sev-${props.cvss.severity}`} title={props.cvss.vector}>
      {props.label} {props.cvss.severity} {props.cvss.score.toFixed(1)}
    </span>
  );
}

/** "base high 7.3 · in fleet medium 6.3" (the second only when the fleet context is known). */
export function SeverityBadges(props: { v: Vulnerability | undefined }) {
  if (!props.v) return null;
  const { cvss, contextualCvss } = props.v;
  if (!cvss) return <span class="badge">not assessed</span>;
  return (
    <span class="severity" data-testid="severity">
      <Badge cvss={cvss} label="base" />
      {contextualCvss ? (
        <>
          {' '}
          <Badge cvss={contextualCvss} label="in fleet" />
        </>
      ) : null}
    </span>
  );
}

/** One row per affected ECU context, the worst first. */
export function CvssContextTable(props: { v: Vulnerability }) {
  if (props.v.cvssContexts.length === 0) return <span class="hint">no affected ECU in the fleet</span>;
  return (
    <table class="cvss-contexts">
      <thead>
        <tr>
          <th>Model</th>
          <th>Hardware</th>
          <th>ASIL</th>
          <th>Exposure</th>
          <th>Vehicles</th>
          <th>Score</th>
          <th>Vector in this context</th>
        </tr>
      </thead>
      <tbody>
        {props.v.cvssContexts.map((c) => (
          <tr>
            <td>{c.modelId}</td>
            <td>{c.hardwareId}</td>
            <td>{c.asil ?? 'unknown'}</td>
            <td>{c.exposure ?? 'unknown'}</td>
            <td>{c.vehicles}</td>
            <td>
              <span class={`badge sev-${c.cvss.severity}`}>
                {c.cvss.severity} {c.cvss.score.toFixed(1)}
              </span>
            </td>
            <td>
              <code>{c.cvss.vector}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
