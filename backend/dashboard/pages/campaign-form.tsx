import { CAMPAIGN_KINDS, INSTALL_PRECONDITIONS } from '../../db/schema.ts';
import type { AuthUser } from '../../http/auth.ts';
import type { FlashMessage } from '../flash.ts';
import { humanize } from '../format.ts';
import { Flash, Page } from '../layout.tsx';

export interface ReleaseChoice {
  id: number;
  label: string;
  fixes: { id: number; title: string }[];
}

/** Default rollout: 1 % -> 10 % -> 50 % -> 100 %, as in the design. */
export const DEFAULT_WAVES = [
  { percent: 1, success: 95, error: 5, soak: 60 },
  { percent: 10, success: 95, error: 5, soak: 120 },
  { percent: 50, success: 95, error: 5, soak: 240 },
  { percent: 100, success: 95, error: 5, soak: 0 },
];
export const WAVE_ROWS = 5;
export const WINDOW_ROWS = 2;

function TextField(props: { name: string; label: string; hint?: string; value?: string; type?: string }) {
  return (
    <div>
      <label for={props.name}>{props.label}</label>
      <input
        id={props.name}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        aria-describedby={props.hint ? `${props.name}-hint` : undefined}
      />
      {props.hint ? (
        <div class="hint" id={`${props.name}-hint`}>
          {props.hint}
        </div>
      ) : null}
    </div>
  );
}

export function NewCampaignPage(props: {
  user: AuthUser;
  csrf: string;
  releases: ReleaseChoice[];
  flash: FlashMessage | null;
}) {
  return (
    <Page
      title="New campaign"
      section="campaigns"
      user={props.user}
      csrf={props.csrf}
      head={<script src="/ui/assets/target-count.js" defer></script>}
    >
      <p>
        <a href="/ui/campaigns">← All campaigns</a>
      </p>
      <h1>New campaign</h1>
      <Flash kind={props.flash?.kind ?? 'error'} text={props.flash?.text} />
      <form method="post" action="/ui/campaigns" id="new-campaign">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <fieldset>
          <legend>Campaign</legend>
          <div class="inline">
            <div>
              <label for="name">Name</label>
              <input id="name" name="name" required maxlength={200} style="width:100%" />
            </div>
            <div>
              <label for="kind">Kind</label>
              <select id="kind" name="kind">
                {CAMPAIGN_KINDS.map((k) => (
                  <option value={k}>{humanize(k)}</option>
                ))}
              </select>
            </div>
            <TextField name="pacingPerMinute" label="Vehicles per minute" type="number" value="100" />
          </div>
        </fieldset>
        <fieldset>
          <legend>Releases and the vulnerabilities they fix</legend>
          {props.releases.length === 0 ? (
            <p>No release is authorised for campaigns yet.</p>
          ) : (
            <ul style="list-style:none;padding:0;margin:0">
              {props.releases.map((r) => (
                <li>
                  <label style="font-weight:600">
                    <input type="checkbox" name="releaseIds" value={String(r.id)} /> {r.label}
                  </label>
                  {r.fixes.length ? (
                    <ul style="list-style:none">
                      {r.fixes.map((v) => (
                        <li>
                          <label style="font-weight:400;margin:.1rem 0">
                            <input type="checkbox" name="vulnerabilityIds" value={String(v.id)} /> fixes #{v.id}{' '}
                            {v.title}
                          </label>
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </fieldset>
        <fieldset>
          <legend>Target vehicles</legend>
          <p class="hint">Comma-separated values; an empty field does not restrict.</p>
          <div class="inline">
            <TextField name="modelIds" label="Models" />
            <TextField name="modelYearFrom" label="Model year from" type="number" />
            <TextField name="modelYearTo" label="Model year to" type="number" />
            <TextField name="regions" label="Regions" />
          </div>
          <div class="inline">
            <TextField name="hardwareIds" label="Hardware ids" />
            <TextField name="currentVersions" label="Current versions" />
            <TextField name="tags" label="Tags" />
            <TextField name="vins" label="VINs" />
          </div>
          <p>
            <strong>
              <output id="target-count" aria-live="polite">
                Choose releases to count the vehicles that need them.
              </output>
            </strong>
          </p>
        </fieldset>
        <fieldset>
          <legend>Waves</legend>
          <p class="hint">
            Each wave covers the targets up to its share; the next starts when this one reached its success rate and the
            soak time passed. A failure rate above the threshold pauses the campaign. Leave unused rows empty.
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">Wave</th>
                <th scope="col">Share of targets (%)</th>
                <th scope="col">Success needed (%)</th>
                <th scope="col">Pause above failures (%)</th>
                <th scope="col">Soak (minutes)</th>
              </tr>
            </thead>
            <tbody>
              {Array.from({ length: WAVE_ROWS }, (_, i) => {
                const d = DEFAULT_WAVES[i];
                const cell = (field: string, value: number | undefined, label: string) => (
                  <td>
                    <input
                      name={`wave${i}_${field}`}
                      type="number"
                      step="any"
                      min="0"
                      value={value === undefined ? '' : String(value)}
                      aria-label={`Wave ${i + 1}: ${label}`}
                      style="width:7rem"
                    />
                  </td>
                );
                return (
                  <tr>
                    <th scope="row">{i + 1}</th>
                    {cell('percent', d?.percent, 'share of targets in percent')}
                    {cell('success', d?.success, 'success needed in percent')}
                    {cell('error', d?.error, 'failure rate that pauses, in percent')}
                    {cell('soak', d?.soak, 'soak time in minutes')}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </fieldset>
        <fieldset>
          <legend>Install policy</legend>
          <p class="hint">Install windows in the vehicle's local time (HH:MM); none means any time.</p>
          {Array.from({ length: WINDOW_ROWS }, (_, i) => (
            <div class="inline">
              <TextField
                name={`window${i}_from`}
                label={`Window ${i + 1} from`}
                type="time"
                value={i === 0 ? '01:00' : ''}
              />
              <TextField
                name={`window${i}_to`}
                label={`Window ${i + 1} to`}
                type="time"
                value={i === 0 ? '05:00' : ''}
              />
            </div>
          ))}
          <label>
            <input type="checkbox" name="driverConsentRequired" /> The driver must consent
          </label>
          <fieldset>
            <legend>Preconditions</legend>
            <div class="inline">
              {INSTALL_PRECONDITIONS.map((p) => (
                <label style="font-weight:400">
                  <input type="checkbox" name="preconditions" value={p} checked={p === 'parked'} /> {humanize(p)}
                </label>
              ))}
            </div>
          </fieldset>
        </fieldset>
        <p>
          <button type="submit">Create draft</button>
        </p>
      </form>
    </Page>
  );
}
