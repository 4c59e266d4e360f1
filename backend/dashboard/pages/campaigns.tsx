import { raw } from 'hono/html';
import { GROUP_COLOURS, GROUP_NAMES, groupCounts } from '../campaign-view.ts';
import type { CampaignDetail, CampaignSummary, GroupTimeline, LiveSnapshot } from '../campaign-view.ts';
import { VEHICLE_CAMPAIGN_STATES } from '../../campaigns/types.ts';
import { describeTargets } from '../target-words.ts';
import { CampaignPanel } from './campaign-panel.tsx';
import type { PanelView } from './campaign-panel.tsx';
import type { FlashMessage } from '../flash.ts';
import { formatTime, humanize, timeLeft } from '../format.ts';
import { Flash, Page } from '../layout.tsx';
import type { PageShell } from '../layout.tsx';
import type { FailureGroup } from '../queries.ts';
import { ProgressBar } from './progress.tsx';
import { BackLink } from './back-link.tsx';

interface Shell extends PageShell {
  now: Date;
  flash: FlashMessage | null;
}

function Deadline(props: { at: string | null; now: Date }) {
  if (!props.at) return <span class="hint">none</span>;
  const left = timeLeft(props.at, props.now);
  return (
    <span class={left.overdue ? 'overdue' : ''}>
      {formatTime(props.at).slice(0, 10)} <span class="hint">({left.text})</span>
    </span>
  );
}

export function CampaignListPage(props: Shell & { campaigns: CampaignSummary[]; canCreate: boolean }) {
  return (
    <Page title="Campaigns" section="campaigns" user={props.user} csrf={props.csrf}>
      <div class="actions" style="justify-content:space-between">
        <h1>Campaigns</h1>
        {props.canCreate ? (
          <a class="button" href="/ui/campaigns/new">
            New campaign
          </a>
        ) : null}
      </div>
      <Flash kind={props.flash?.kind ?? 'ok'} text={props.flash?.text} />
      <table aria-label="Campaigns">
        <thead>
          <tr>
            <th scope="col">Campaign</th>
            <th scope="col">State</th>
            <th scope="col">Priority</th>
            <th scope="col">Deadline</th>
            <th scope="col">Progress</th>
          </tr>
        </thead>
        <tbody>
          {props.campaigns.length === 0 ? (
            <tr>
              <td colspan={5}>No campaigns yet.</td>
            </tr>
          ) : (
            props.campaigns.map((c) => (
              <tr>
                <td>
                  <a href={`/ui/campaigns/${c.id}`}>{c.name}</a>
                  <div class="hint">
                    #{c.id} · {humanize(c.kind)}
                  </div>
                </td>
                <td>
                  <span class={`badge s-${c.state}`}>{humanize(c.state)}</span>
                </td>
                <td>{c.priority}</td>
                <td>
                  <Deadline at={c.deadlineAt} now={props.now} />
                </td>
                <td>
                  <ProgressBar counts={c.counts} />
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </Page>
  );
}

function Groups(props: { title: string; id: string; rows: FailureGroup[] }) {
  return (
    <div>
      <h3 id={props.id}>{props.title}</h3>
      {props.rows.length === 0 ? (
        <p class="hint">None.</p>
      ) : (
        <table aria-labelledby={props.id}>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <th scope="row">{r.key}</th>
                <td class="num">{r.n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** JSON for a data island: `<` is escaped so the text can never close the script element. */
function jsonIsland(id: string, value: unknown) {
  return raw(`<script type="application/json" id="${id}">${JSON.stringify(value).replace(/</g, '\\u003c')}</script>`);
}

export function CampaignPage(
  props: Shell & {
    campaign: CampaignDetail;
    panel: PanelView;
    timeline: GroupTimeline;
    failures: { byEcu: FailureGroup[]; byNrc: FailureGroup[]; byError: FailureGroup[] };
    snapshot: LiveSnapshot;
  },
) {
  const c = props.campaign;
  const groups = groupCounts(c.counts);
  // Every state but the final ones can still change, so the page follows it.
  const live = c.state !== 'completed' && c.state !== 'cancelled';
  return (
    <Page
      title={c.name}
      section="campaigns"
      user={props.user}
      csrf={props.csrf}
      head={
        <>
          <link rel="stylesheet" href="/ui/assets/uPlot.min.css" />
          <script src="/ui/assets/uPlot.min.js" defer></script>
          <script src="/ui/assets/campaign-live.js" defer></script>
        </>
      }
    >
      <BackLink href="/ui/campaigns">All campaigns</BackLink>
      <div class="actions" style="justify-content:space-between">
        <h1>
          {c.name} <span class="hint">#{c.id}</span>
        </h1>
        <p>
          <span id="campaign-state" class={`badge s-${c.state}`} aria-live="polite">
            {humanize(c.state)}
          </span>{' '}
          <span class="live" id="live-status" data-live={live ? `/ui/campaigns/${c.id}/live` : ''}>
            {live ? 'live updates on' : ''}
          </span>
        </p>
      </div>
      <Flash kind={props.flash?.kind ?? 'ok'} text={props.flash?.text} />
      <section aria-labelledby="h-actions" class="card">
        <h2 id="h-actions" style="margin-top:0">
          Actions
        </h2>
        <div id="campaign-panel" aria-live="polite">
          <CampaignPanel view={props.panel} />
        </div>
      </section>
      <div class="grid">
        <section aria-labelledby="h-facts" class="card">
          <h2 id="h-facts" style="margin-top:0">
            Facts
          </h2>
          <dl class="facts">
            <dt>Kind</dt>
            <dd>{humanize(c.kind)}</dd>
            <dt>Priority</dt>
            <dd>{c.priority}</dd>
            <dt>Deadline</dt>
            <dd>
              <Deadline at={c.deadlineAt} now={props.now} />
            </dd>
            <dt>Created by</dt>
            <dd>{c.createdBy}</dd>
            <dt>Approved by</dt>
            <dd>{c.approvedBy ? `${c.approvedBy}, ${formatTime(c.approvedAt)}` : '—'}</dd>
            <dt>Started</dt>
            <dd>{formatTime(c.startedAt)}</dd>
            <dt>Releases</dt>
            <dd>
              <ul class="plain">
                {c.releases.map((r) => (
                  <li>{r.label}</li>
                ))}
              </ul>
            </dd>
            <dt>Fixes</dt>
            <dd>
              {c.vulnerabilities.length
                ? c.vulnerabilities.map((v) => (
                    <>
                      <a href={`/ui/vulnerabilities/${v.id}`}>
                        #{v.id} {v.title}
                      </a>{' '}
                    </>
                  ))
                : '—'}
            </dd>
            <dt>Targets</dt>
            <dd>
              <ul class="plain">
                {describeTargets(c.targetFilter).map((line) => (
                  <li>{line}</li>
                ))}
              </ul>
            </dd>
            <dt>Install windows</dt>
            <dd>
              {c.installWindows.map((w) => `${w.from}–${w.to}`).join(', ') || 'any time'} (vehicle local time)
              {c.driverConsentRequired ? ', driver consent required' : ''}
            </dd>
            <dt>Pacing</dt>
            <dd>{c.pacingPerMinute} vehicles per minute</dd>
          </dl>
        </section>
        <section aria-labelledby="h-progress" class="card">
          <h2 id="h-progress" style="margin-top:0">
            Progress
          </h2>
          <ProgressBar counts={c.counts} id="campaign-progress" />
          <table aria-labelledby="h-progress" id="state-table" style="margin-top:.75rem">
            <tbody>
              {GROUP_NAMES.map((g) => (
                <tr>
                  <th scope="row">
                    <span style={`display:inline-block;width:.8em;height:.8em;background:${GROUP_COLOURS[g]}`}></span>{' '}
                    {humanize(g)}
                  </th>
                  <td class="num" data-group-count={g}>
                    {groups[g]}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      <section aria-labelledby="h-states" class="card">
        <div class="actions" style="justify-content:space-between">
          <h2 id="h-states" style="margin-top:0">
            Vehicles by state
          </h2>
          <a href={`/ui/campaigns/${c.id}/vehicles`}>Every vehicle with its ECUs</a>
        </div>
        <table aria-labelledby="h-states" id="detailed-states">
          <thead>
            <tr>
              {VEHICLE_CAMPAIGN_STATES.map((s) => (
                <th scope="col" class="num">
                  {humanize(s)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              {VEHICLE_CAMPAIGN_STATES.map((s) => (
                <td class="num">
                  <a href={`/ui/campaigns/${c.id}/vehicles?state=${s}`} data-state-count={s}>
                    {props.snapshot.states[s]}
                  </a>
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      </section>
      <section aria-labelledby="h-chart" class="card">
        <h2 id="h-chart" style="margin-top:0">
          Vehicle states over time
        </h2>
        <div
          id="state-chart"
          role="img"
          aria-label="Chart of vehicle states over time; the figures are in the Progress table"
        ></div>
        {jsonIsland('timeline-data', props.timeline)}
        {jsonIsland('snapshot-data', props.snapshot)}
      </section>
      <section aria-labelledby="h-waves" class="card">
        <h2 id="h-waves" style="margin-top:0">
          Waves
        </h2>
        <table aria-labelledby="h-waves">
          <thead>
            <tr>
              <th scope="col">Wave</th>
              <th scope="col" class="num">
                Share of targets
              </th>
              <th scope="col" class="num">
                Success needed
              </th>
              <th scope="col" class="num">
                Pause above failure rate
              </th>
              <th scope="col" class="num">
                Soak
              </th>
              <th scope="col">Started</th>
              <th scope="col">Progress</th>
            </tr>
          </thead>
          <tbody>
            {c.waves.map((w) => (
              <tr aria-current={c.currentWave === w.waveNo ? 'step' : undefined} data-wave={w.waveNo}>
                <th scope="row">
                  {w.waveNo}
                  {c.currentWave === w.waveNo ? ' (current)' : ''}
                </th>
                <td class="num">{w.cumulativePercent} %</td>
                <td class="num">{Math.round(w.successThreshold * 100)} %</td>
                <td class="num">{Math.round(w.errorThreshold * 100)} %</td>
                <td class="num">{w.soakMinutes} min</td>
                <td>{formatTime(w.startedAt)}</td>
                <td>
                  <ProgressBar counts={w.counts} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="h-failures" class="card">
        <h2 id="h-failures" style="margin-top:0">
          Failure reasons
        </h2>
        <div class="grid">
          <Groups title="By ECU (hardware id)" id="f-ecu" rows={props.failures.byEcu} />
          <Groups title="By negative response code" id="f-nrc" rows={props.failures.byNrc} />
          <Groups title="By vehicle error" id="f-error" rows={props.failures.byError} />
        </div>
      </section>
    </Page>
  );
}
