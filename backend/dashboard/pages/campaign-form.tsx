import { CAMPAIGN_KINDS, INSTALL_PRECONDITIONS } from '../../campaigns/types.ts';
import type { AuthUser } from '../../http/auth.ts';
import type { FormError } from '../campaign-form-errors.ts';
import type { Form } from '../campaign-form-input.ts';
import type { FlashMessage } from '../flash.ts';
import { humanize } from '../format.ts';
import { Flash, Page } from '../layout.tsx';
import { LabelledInput } from './form-fields.tsx';
import { BackLink } from './back-link.tsx';

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
/** The wave table's columns: form field suffix -> column heading. */
export const WAVE_COLUMNS = {
  percent: 'Share of targets (%)',
  success: 'Success needed (%)',
  error: 'Pause above failures (%)',
  soak: 'Soak (minutes)',
} as const;
export const WINDOW_ROWS = 2;

/**
 * What the form shows: the defaults on a fresh form; after a refused post, exactly what was typed
 * and the field the refusal names (marked invalid, focused, described by the message).
 */
class Shown {
  constructor(
    readonly values: Form | undefined,
    readonly error: FormError | undefined,
  ) {}
  text(name: string, fallback = ''): string {
    if (!this.values) return fallback;
    const v = this.values[name];
    return typeof v === 'string' ? v : '';
  }
  checked(name: string, value: string, fallback: boolean): boolean {
    if (!this.values) return fallback;
    const v = this.values[name];
    return Array.isArray(v) ? v.includes(value) : v === value;
  }
  /** Attributes of the field the error names. */
  invalid(name: string): Record<string, string | boolean> {
    return this.error?.field === name
      ? { 'aria-invalid': 'true', 'aria-describedby': 'form-error', autofocus: true }
      : {};
  }
}

function Check(props: { shown: Shown; name: string; value: string; fallback?: boolean }) {
  const { shown, name, value } = props;
  return (
    <input type="checkbox" name={name} value={value} checked={shown.checked(name, value, props.fallback ?? false)} />
  );
}

function TextField(props: {
  name: string;
  label: string;
  hint?: string;
  value?: string;
  type?: string;
  required?: boolean;
  maxlength?: number;
  wide?: boolean;
  shown: Shown;
}) {
  const { required, maxlength } = props;
  return (
    <LabelledInput
      field={{ ...props, id: props.name }}
      value={props.shown.text(props.name, props.value ?? '')}
      attrs={{
        type: props.type ?? 'text',
        required,
        maxlength,
        style: props.wide ? 'width:100%' : undefined,
        ...props.shown.invalid(props.name),
      }}
    />
  );
}

export function NewCampaignPage(props: {
  user: AuthUser;
  csrf: string;
  releases: ReleaseChoice[];
  flash: FlashMessage | null;
  /** After a refused post: what was typed, and what was wrong. */
  values?: Form;
  error?: FormError;
}) {
  const shown = new Shown(props.values, props.error);
  return (
    <Page
      title="New campaign"
      section="campaigns"
      user={props.user}
      csrf={props.csrf}
      head={<script src="/ui/assets/target-count.js" defer></script>}
    >
      <BackLink href="/ui/campaigns">All campaigns</BackLink>
      <h1>New campaign</h1>
      <Flash kind={props.flash?.kind ?? 'error'} text={props.flash?.text} />
      {props.error ? (
        <p class="flash error" role="alert" id="form-error">
          Not created. {props.error.text}
        </p>
      ) : null}
      <form method="post" action="/ui/campaigns" id="new-campaign">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <fieldset>
          <legend>Campaign</legend>
          <div class="inline">
            <TextField name="name" label="Name" required maxlength={200} wide shown={shown} />
            <div>
              <label for="kind">Kind</label>
              <select id="kind" name="kind">
                {CAMPAIGN_KINDS.map((k) => (
                  <option value={k} selected={shown.text('kind') === k}>
                    {humanize(k)}
                  </option>
                ))}
              </select>
            </div>
            <TextField name="pacingPerMinute" label="Vehicles per minute" type="number" value="100" shown={shown} />
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
                    <Check shown={shown} name="releaseIds" value={String(r.id)} /> {r.label}
                  </label>
                  {r.fixes.length ? (
                    <ul style="list-style:none">
                      {r.fixes.map((v) => (
                        <li>
                          <label style="font-weight:400;margin:.1rem 0">
                            <Check shown={shown} name="vulnerabilityIds" value={String(v.id)} /> fixes #{v.id} {v.title}
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
            <TextField name="modelIds" label="Models" shown={shown} />
            <TextField name="modelYearFrom" label="Model year from" type="number" shown={shown} />
            <TextField name="modelYearTo" label="Model year to" type="number" shown={shown} />
            <TextField name="regions" label="Regions" shown={shown} />
          </div>
          <div class="inline">
            <TextField name="hardwareIds" label="Hardware ids" shown={shown} />
            <TextField name="currentVersions" label="Current versions" shown={shown} />
            <TextField name="tags" label="Tags" shown={shown} />
            <TextField name="vins" label="VINs" shown={shown} />
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
                {Object.values(WAVE_COLUMNS).map((heading) => (
                  <th scope="col">{heading}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {Array.from({ length: WAVE_ROWS }, (_, i) => {
                const d = DEFAULT_WAVES[i];
                const cell = (field: keyof typeof WAVE_COLUMNS, value: number | undefined) => (
                  <td>
                    <input
                      name={`wave${i}_${field}`}
                      type="number"
                      step="any"
                      min="0"
                      value={shown.text(`wave${i}_${field}`, value === undefined ? '' : String(value))}
                      aria-label={`Wave ${i + 1}: ${WAVE_COLUMNS[field]}`}
                      style="width:7rem"
                      {...shown.invalid(`wave${i}_${field}`)}
                    />
                  </td>
                );
                return (
                  <tr>
                    <th scope="row">{i + 1}</th>
                    {cell('percent', d?.percent)}
                    {cell('success', d?.success)}
                    {cell('error', d?.error)}
                    {cell('soak', d?.soak)}
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
                shown={shown}
              />
              <TextField
                name={`window${i}_to`}
                label={`Window ${i + 1} to`}
                type="time"
                value={i === 0 ? '05:00' : ''}
                shown={shown}
              />
            </div>
          ))}
          <label>
            <Check shown={shown} name="driverConsentRequired" value="on" /> The driver must consent
          </label>
          <fieldset>
            <legend>Preconditions</legend>
            <div class="inline">
              {INSTALL_PRECONDITIONS.map((p) => (
                <label style="font-weight:400">
                  <Check shown={shown} name="preconditions" value={p} fallback={p === 'parked'} /> {humanize(p)}
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
