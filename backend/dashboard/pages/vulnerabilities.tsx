import type { AuditEntry } from '../../audit/service.ts';
import type { VulnerabilityPhase } from '../../vulnerabilities/types.ts';
import type { Vulnerability } from '../../vulnerabilities/service.ts';
import { formatTime, humanize, timeLeft } from '../format.ts';
import { Flash, Page } from '../layout.tsx';
import type { PageShell } from '../layout.tsx';
import type { FlashMessage } from '../flash.ts';
import { CvssContextTable, SeverityBadges } from './cvss-contexts.tsx';
import { AuditTimeline } from './audit-timeline.tsx';
import { Field, FormErrors, refusedFor } from './form-fields.tsx';
import type { Refused } from './form-fields.tsx';
import { describeVulnerabilityEntry, PhaseForms, RemediationForm } from './vulnerability-forms.tsx';
import { BackLink } from './back-link.tsx';

interface Shell extends PageShell {
  now: Date;
}

function Deadline(props: { v: Vulnerability; now: Date }) {
  if (!props.v.deadlineAt) return <span class="hint">no deadline yet</span>;
  const left = timeLeft(props.v.deadlineAt, props.now);
  return (
    <span class={left.overdue ? 'overdue' : ''}>
      {left.text} <span class="hint">({formatTime(props.v.deadlineAt).slice(0, 10)})</span>
    </span>
  );
}

export function VulnerabilityBoard(
  props: Shell & {
    columns: { phase: VulnerabilityPhase; items: Vulnerability[] }[];
    canReport: boolean;
    flash: FlashMessage | null;
  },
) {
  return (
    <Page title="Vulnerabilities" section="vulnerabilities" user={props.user} csrf={props.csrf}>
      <div class="actions" style="justify-content:space-between">
        <h1>Vulnerabilities</h1>
        {props.canReport ? (
          <a class="button" href="/ui/vulnerabilities/new">
            Report a vulnerability
          </a>
        ) : null}
      </div>
      <Flash kind={props.flash?.kind ?? 'ok'} text={props.flash?.text} />
      <p class="hint">
        Open issues by handling phase; in each phase overdue items come first, then the nearest deadline.
      </p>
      <div class="board">
        {props.columns.map((col) => (
          <section aria-labelledby={`phase-${col.phase}`}>
            <h2 id={`phase-${col.phase}`}>
              {humanize(col.phase)} <span class="hint">({col.items.length})</span>
            </h2>
            <ol>
              {col.items.map((v) => (
                <li class={v.overdue ? 'is-overdue' : ''}>
                  <a href={`/ui/vulnerabilities/${v.id}`}>
                    #{v.id} {v.title}
                  </a>
                  <div>
                    <SeverityBadges v={v} /> <Deadline v={v} now={props.now} />
                  </div>
                  <div class="hint">{v.affectedVehicles} affected vehicles</div>
                </li>
              ))}
            </ol>
          </section>
        ))}
      </div>
    </Page>
  );
}

export function VulnerabilityPage(
  props: Shell & {
    v: Vulnerability;
    canAssess: boolean;
    canRemediate: boolean;
    next: readonly VulnerabilityPhase[];
    history: AuditEntry[];
    flash: FlashMessage | null;
    refused: Refused | null;
  },
) {
  const v = props.v;
  const { draft, messages } = refusedFor(props.refused, 'assessment');
  const checked = (name: 'exploitAvailable' | 'workaroundExists' | 'safetyRelevant') =>
    draft ? draft[name] === 'on' : v[name];
  return (
    <Page
      title={`Vulnerability #${v.id}`}
      section="vulnerabilities"
      user={props.user}
      csrf={props.csrf}
      head={
        <>
          <script src="/ui/assets/cvss-score.js" defer></script>
          <script src="/ui/assets/deadline-preview.js" defer></script>
        </>
      }
    >
      <BackLink href="/ui/vulnerabilities">All vulnerabilities</BackLink>
      <h1 class="wrap">
        #{v.id} {v.title}
      </h1>
      <Flash kind={props.flash?.kind ?? 'ok'} text={props.flash?.text} />
      <div class="card">
        <dl class="facts">
          <dt>Phase</dt>
          <dd>
            <span class="badge">{humanize(v.phase)}</span>
          </dd>
          <dt>Severity</dt>
          <dd>
            <SeverityBadges v={v} /> {v.cvss ? <code>{v.cvss.vector}</code> : null}
          </dd>
          <dt>In the fleet</dt>
          <dd>
            <CvssContextTable v={v} />
          </dd>
          <dt>Deadline</dt>
          <dd>
            <Deadline v={v} now={props.now} /> {v.deliveryClass ? <span class="hint">({v.deliveryClass})</span> : null}
          </dd>
          <dt>Affected</dt>
          <dd>
            {v.affected.map((a) => `${a.hardwareId} ${a.versions.join(', ')}`).join('; ') || '—'} ({v.affectedVehicles}{' '}
            vehicles)
          </dd>
          <dt>Reporter</dt>
          <dd>
            {v.reporter} ({humanize(v.reporterKind)}){v.reporterContact ? `, ${v.reporterContact}` : ''}
          </dd>
          <dt>Description</dt>
          <dd class="wrap">{v.description || '—'}</dd>
          <dt>Attack vector</dt>
          <dd class="wrap">{v.attackVectorNote ?? '—'}</dd>
          <dt>Impact</dt>
          <dd class="wrap">{v.impactNote ?? '—'}</dd>
          <dt>Intrusion level</dt>
          <dd class="wrap">{v.intrusionLevel ?? '—'}</dd>
          <dt>Remediation</dt>
          <dd class="wrap">{v.remediation ? `${humanize(v.remediation.kind)}: ${v.remediation.note ?? ''}` : '—'}</dd>
          <dt>Embargo</dt>
          <dd>{v.embargoUntil ? `until ${formatTime(v.embargoUntil)}` : 'none'}</dd>
          {v.rejectionReason ? (
            <>
              <dt>Rejected as</dt>
              <dd>{humanize(v.rejectionReason)}</dd>
            </>
          ) : null}
          {v.advisory ? (
            <>
              <dt>Advisory</dt>
              <dd class="wrap">
                {v.advisory} <span class="hint">(disclosed {formatTime(v.disclosedAt)})</span>
              </dd>
            </>
          ) : null}
        </dl>
      </div>
      <PhaseForms v={v} next={props.next} csrf={props.csrf} refused={props.refused} />
      {props.canAssess ? (
        <form
          method="post"
          action={`/ui/vulnerabilities/${v.id}/assessment`}
          class="card"
          aria-labelledby="assess"
          id="assessment"
          novalidate
        >
          <h2 id="assess">Assessment</h2>
          <FormErrors messages={messages} />
          <input type="hidden" name="_csrf" value={props.csrf} />
          <label for="cvssVector">CVSS base vector (v3.1 or v4.0)</label>
          <input
            id="cvssVector"
            name="cvssVector"
            required
            style="width:100%"
            value={draft?.cvssVector ?? v.cvss?.vector ?? ''}
            aria-describedby="cvss-score"
            placeholder="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
          />
          <p>
            Computed score:{' '}
            <output id="cvss-score" for="cvssVector" aria-live="polite">
              {v.cvss ? `${v.cvss.score.toFixed(1)} (${v.cvss.severity})` : '—'}
            </output>
          </p>
          <div class="inline">
            <label>
              <input type="checkbox" name="exploitAvailable" checked={checked('exploitAvailable')} /> An exploit is
              available
            </label>
            <label>
              <input type="checkbox" name="workaroundExists" checked={checked('workaroundExists')} /> A workaround
              exists
            </label>
            <label>
              <input type="checkbox" name="safetyRelevant" checked={checked('safetyRelevant')} /> Safety relevant
            </label>
          </div>
          <label for="rootCause">Root cause</label>
          <textarea id="rootCause" name="rootCause" rows={2} style="width:100%">
            {draft?.rootCause ?? v.rootCause ?? ''}
          </textarea>
          <p>
            Deadline: {v.deadlineAt ? formatTime(v.deadlineAt).slice(0, 10) : 'none yet'}
            {' → '}
            <output id="deadline-preview" aria-live="polite" data-url={`/ui/vulnerabilities/${v.id}/deadline-preview`}>
              as recorded
            </output>
          </p>
          {v.cvss ? (
            <Field
              id="assessment-reason"
              name="reason"
              label="Reason for re-assessing"
              draft={draft}
              maxlength={2000}
              hint="Already assessed: the deadline may move, so the change needs a reason."
              wide
            />
          ) : null}
          <p>
            <button type="submit">Record assessment</button>
          </p>
        </form>
      ) : null}
      {props.canRemediate ? <RemediationForm v={v} csrf={props.csrf} refused={props.refused} /> : null}
      <AuditTimeline id="h-history" title="History" entries={props.history} describe={describeVulnerabilityEntry} />
    </Page>
  );
}
