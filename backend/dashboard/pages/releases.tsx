import { RELEASE_STATES } from '../../releases/types.ts';
import type { ReleaseState } from '../../releases/types.ts';
import type { Release } from '../../releases/service.ts';
import type { FlashMessage } from '../flash.ts';
import { formatTime, humanize } from '../format.ts';
import { Flash, Page } from '../layout.tsx';
import type { PageShell } from '../layout.tsx';
import type { VulnerabilityChoice } from '../release-queries.ts';
import { Csrf, Field, FormErrors, Select, TextArea } from './form-fields.tsx';
import type { Draft } from './form-fields.tsx';
import { BackLink } from './back-link.tsx';

type Shell = PageShell;

export interface ReleaseFilter {
  hardwareId: string;
  state: ReleaseState | '';
}

const STATE_OPTIONS = RELEASE_STATES.map((s) => ({ value: s, label: humanize(s) }));

function FilterForm(props: { filter: ReleaseFilter }) {
  return (
    <search>
      <form method="get" action="/ui/releases" class="card actions" role="search" aria-label="Filter releases">
        <Field
          id="f-hardwareId"
          name="hardwareId"
          label="Hardware id"
          draft={undefined}
          value={props.filter.hardwareId}
        />
        <Select
          id="f-state"
          name="state"
          label="State"
          options={STATE_OPTIONS}
          draft={undefined}
          value={props.filter.state}
          blank="any state"
        />
        <button type="submit">Filter</button>
        <a href="/ui/releases">Clear</a>
      </form>
    </search>
  );
}

export function ReleaseListPage(
  props: Shell & { releases: Release[]; filter: ReleaseFilter; canCreate: boolean; flash: FlashMessage | null },
) {
  const filtered = props.filter.hardwareId !== '' || props.filter.state !== '';
  return (
    <Page title="Releases" section="releases" user={props.user} csrf={props.csrf}>
      <div class="actions" style="justify-content:space-between">
        <h1>Releases</h1>
        {props.canCreate ? (
          <a class="button" href="/ui/releases/new">
            New release
          </a>
        ) : null}
      </div>
      <Flash kind={props.flash?.kind ?? 'ok'} text={props.flash?.text} />
      <FilterForm filter={props.filter} />
      <table aria-label="Releases">
        <thead>
          <tr>
            <th scope="col">Release</th>
            <th scope="col">Supplier</th>
            <th scope="col">State</th>
            <th scope="col" class="num">
              Images
            </th>
            <th scope="col">Fixes</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {props.releases.length === 0 ? (
            <tr>
              <td colspan={6}>{filtered ? 'No release matches the filter.' : 'No releases yet.'}</td>
            </tr>
          ) : (
            props.releases.map((r) => (
              <tr>
                <td class="wrap">
                  <a href={`/ui/releases/${r.id}`}>
                    {r.hardwareId} {r.version}
                  </a>
                  <div class="hint">
                    #{r.id}
                    {r.safetyRelevant ? ' · ASIL hardware' : ''}
                  </div>
                </td>
                <td class="wrap">{r.supplier}</td>
                <td>
                  <span class={`badge s-${r.state}`}>{humanize(r.state)}</span>
                </td>
                <td class="num">{r.images.length}</td>
                <td>{r.fixes.length ? r.fixes.map((id) => `#${id}`).join(', ') : '—'}</td>
                <td>{formatTime(r.updatedAt)}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </Page>
  );
}

/** Labels of the new-release form, by the API's field names (for messages naming the field). */
export const NEW_RELEASE_LABELS = {
  hardwareId: 'Hardware id',
  version: 'Version',
  supplier: 'Supplier',
  notes: 'Release notes',
  fixes: 'Fixes vulnerabilities',
};

/** The new release's required text inputs, in form order. */
const NEW_RELEASE_INPUTS = [
  { name: 'hardwareId', maxlength: 64, hint: 'The ECU hardware the images are built for, e.g. BCM-HW-7.' },
  { name: 'version', maxlength: 64, hint: 'e.g. 4.2.0; letters, digits and . _ : + -' },
  { name: 'supplier', maxlength: 200, hint: undefined },
] as const;

export function NewReleasePage(
  props: Shell & {
    vulnerabilities: VulnerabilityChoice[];
    draft?: Draft;
    fixes?: number[];
    errors?: string[];
  },
) {
  const chosen = new Set(props.fixes ?? []);
  const d = props.draft;
  return (
    <Page title="New release" section="releases" user={props.user} csrf={props.csrf}>
      <BackLink href="/ui/releases">All releases</BackLink>
      <h1>New release</h1>
      <FormErrors messages={props.errors} />
      <form method="post" action="/ui/releases" class="card" aria-label="New release" novalidate>
        <Csrf token={props.csrf} />
        <div class="inline">
          {NEW_RELEASE_INPUTS.map((input) => (
            <Field
              id={input.name}
              name={input.name}
              label={NEW_RELEASE_LABELS[input.name]}
              draft={d}
              required
              maxlength={input.maxlength}
              hint={input.hint}
            />
          ))}
        </div>
        <TextArea id="notes" name="notes" label={NEW_RELEASE_LABELS.notes} draft={d} maxlength={20000} />
        <fieldset>
          <legend>{NEW_RELEASE_LABELS.fixes}</legend>
          {props.vulnerabilities.length === 0 ? (
            <p class="hint">No vulnerabilities recorded.</p>
          ) : (
            props.vulnerabilities.map((v) => (
              <label class="wrap" style="font-weight:400">
                <input type="checkbox" name="fixes" value={String(v.id)} checked={chosen.has(v.id)} /> #{v.id} {v.title}{' '}
                <span class="hint">({humanize(v.phase)})</span>
              </label>
            ))
          )}
        </fieldset>
        <p class="hint">The release starts as “available”; upload its images on the next page.</p>
        <button type="submit">Create release</button>
      </form>
    </Page>
  );
}
