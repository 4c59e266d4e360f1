import type { VulnerabilityPhase } from '../../db/schema.ts';
import type { AuthUser } from '../../http/auth.ts';
import type { Vulnerability } from '../../vulnerabilities/service.ts';
import { formatTime, humanize, timeLeft } from '../format.ts';
import { Flash, Page } from '../layout.tsx';
import type { FlashMessage } from '../flash.ts';
import { CvssContextTable, SeverityBadges } from './cvss-contexts.tsx';

interface Shell {
  user: AuthUser;
  csrf: string;
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
  props: Shell & { columns: { phase: VulnerabilityPhase; items: Vulnerability[] }[] },
) {
  return (
    <Page title="Vulnerabilities" section="vulnerabilities" user={props.user} csrf={props.csrf}>
      <h1>Vulnerabilities</h1>
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
  props: Shell & { v: Vulnerability; canAssess: boolean; flash: FlashMessage | null; vectorDraft?: string },
) {
  const v = props.v;
  return (
    <Page
      title={`Vulnerability #${v.id}`}
      section="vulnerabilities"
      user={props.user}
      csrf={props.csrf}
      head={<script src="/ui/assets/cvss-score.js" defer></script>}
    >
      <p>
        <a href="/ui/vulnerabilities">← All vulnerabilities</a>
      </p>
      <h1>
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
            {v.reporter} ({v.reporterKind})
          </dd>
          <dt>Description</dt>
          <dd>{v.description || '—'}</dd>
        </dl>
      </div>
      {props.canAssess ? (
        <form method="post" action={`/ui/vulnerabilities/${v.id}/assessment`} class="card" aria-labelledby="assess">
          <h2 id="assess">Assessment</h2>
          <input type="hidden" name="_csrf" value={props.csrf} />
          <label for="cvssVector">CVSS base vector (v3.1 or v4.0)</label>
          <input
            id="cvssVector"
            name="cvssVector"
            required
            style="width:100%"
            value={props.vectorDraft ?? v.cvss?.vector ?? ''}
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
              <input type="checkbox" name="exploitAvailable" checked={v.exploitAvailable} /> An exploit is available
            </label>
            <label>
              <input type="checkbox" name="workaroundExists" checked={v.workaroundExists} /> A workaround exists
            </label>
            <label>
              <input type="checkbox" name="safetyRelevant" checked={v.safetyRelevant} /> Safety relevant
            </label>
          </div>
          <label for="rootCause">Root cause</label>
          <textarea id="rootCause" name="rootCause" rows={2} style="width:100%">
            {v.rootCause ?? ''}
          </textarea>
          <p>
            <button type="submit">Record assessment</button>
          </p>
        </form>
      ) : null}
    </Page>
  );
}
