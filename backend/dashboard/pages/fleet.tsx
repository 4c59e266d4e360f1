import type { Child } from 'hono/jsx';
import { TableHead } from './table-head.tsx';
import type { Vehicle } from '../../fleet/service.ts';
import { formatTime, humanize } from '../format.ts';
import { VEHICLE_LIFECYCLES } from '../../fleet/types.ts';
import type { FlashMessage } from '../flash.ts';
import { Flash, Page } from '../layout.tsx';
import type { PageShell } from '../layout.tsx';
import { PageLinks, PageSizeSelect } from './paging.tsx';
import type { VehicleCampaignEntry } from '../queries.ts';
import { VehicleSecurityEventsLink } from './security-events.tsx';
import { BackLink } from './back-link.tsx';

type Shell = PageShell;

/** The list's filters as typed (strings), and the page size. */
export interface FleetFilterValues {
  vin: string;
  modelId: string;
  modelYear: string;
  region: string;
  hardwareId: string;
  installedVersion: string;
  lifecycle: string;
  limit: number;
}

/** The filter form's fields, named as the API's list query names them, with their labels. */
export const FLEET_FILTER_LABELS = {
  vin: 'VIN or its start',
  modelId: 'Model',
  modelYear: 'Model year',
  region: 'Region',
  hardwareId: 'ECU hardware id',
  installedVersion: 'ECU version',
  lifecycle: 'Lifecycle state',
} as const;

function FilterField(props: {
  name: keyof typeof FLEET_FILTER_LABELS;
  values: FleetFilterValues;
  invalid: string | undefined;
  type?: string;
}) {
  return (
    <div>
      <label for={`f-${props.name}`}>{FLEET_FILTER_LABELS[props.name]}</label>
      <input
        id={`f-${props.name}`}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.values[props.name]}
        autocomplete="off"
        aria-invalid={props.invalid === props.name ? 'true' : undefined}
        aria-describedby={props.invalid === props.name ? 'filter-error' : undefined}
      />
    </div>
  );
}

function FilterForm(props: { values: FleetFilterValues; models: { id: string; name: string }[]; invalid?: string }) {
  const v = props.values;
  return (
    <search>
      <form method="get" action="/ui/fleet" class="card" role="search" aria-label="Filter vehicles">
        <div class="inline">
          <FilterField name="vin" values={v} invalid={props.invalid} />
          <div>
            <label for="f-modelId">{FLEET_FILTER_LABELS.modelId}</label>
            <select id="f-modelId" name="modelId">
              <option value="">Any model</option>
              {props.models.map((m) => (
                <option value={m.id} selected={v.modelId === m.id}>
                  {m.name} ({m.id})
                </option>
              ))}
            </select>
          </div>
          <FilterField name="modelYear" values={v} invalid={props.invalid} type="number" />
          <FilterField name="region" values={v} invalid={props.invalid} />
        </div>
        <div class="inline">
          <FilterField name="hardwareId" values={v} invalid={props.invalid} />
          <FilterField name="installedVersion" values={v} invalid={props.invalid} />
          <div>
            <label for="f-lifecycle">{FLEET_FILTER_LABELS.lifecycle}</label>
            <select id="f-lifecycle" name="lifecycle">
              <option value="">Any state</option>
              {VEHICLE_LIFECYCLES.map((l) => (
                <option value={l} selected={v.lifecycle === l}>
                  {humanize(l)}
                </option>
              ))}
            </select>
          </div>
          <PageSizeSelect id="f-limit" selected={v.limit} label="Vehicles per page" />
        </div>
        <p class="actions">
          <button type="submit">Show vehicles</button>
          <a href="/ui/fleet">Clear the filters</a>
        </p>
      </form>
    </search>
  );
}

function pageLink(values: FleetFilterValues, cursor: string | undefined): string {
  const p = new URLSearchParams();
  for (const [k, val] of Object.entries(values)) if (String(val)) p.set(k, String(val));
  if (cursor) p.set('cursor', cursor);
  return `/ui/fleet?${p.toString()}`;
}

export function FleetListPage(
  props: Shell & {
    values: FleetFilterValues;
    models: { id: string; name: string }[];
    error: { field: string; text: string } | undefined;
    vehicles: Vehicle[];
    cursor: string | undefined;
    nextCursor: string | null;
  },
) {
  return (
    <Page title="Fleet" section="fleet" user={props.user} csrf={props.csrf}>
      <h1>Fleet</h1>
      <FilterForm values={props.values} models={props.models} invalid={props.error?.field} />
      {props.error ? (
        <p class="flash error" role="alert" id="filter-error">
          {props.error.text}
        </p>
      ) : props.vehicles.length === 0 ? (
        <p role="status">No vehicle matches these filters.</p>
      ) : (
        <table id="fleet-vehicles">
          <caption>Vehicles, ordered by VIN</caption>
          <thead>
            <tr>
              {['VIN', 'Model', 'Model year', 'Region', 'Lifecycle', 'ECUs and versions'].map((h) => (
                <th scope="col">{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.vehicles.map((v) => (
              <tr data-vin={v.vin}>
                <th scope="row">
                  <a href={`/ui/fleet/${v.vin}`}>{v.vin}</a>
                </th>
                <td>{v.modelId}</td>
                <td>{v.modelYear}</td>
                <td>{v.region}</td>
                <td>
                  <span class={`badge s-${v.lifecycle}`}>{humanize(v.lifecycle)}</span>
                </td>
                <td>{v.ecus.map((e) => `${e.name} ${e.installedVersion}`).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <PageLinks
        first={props.cursor ? pageLink(props.values, undefined) : null}
        next={props.nextCursor ? pageLink(props.values, props.nextCursor) : null}
      />
    </Page>
  );
}

export interface HistoryRow {
  ecuSerial: string;
  hardwareId: string;
  fromVersion: string | null;
  toVersion: string;
  source: string;
  at: string;
}

export function VehiclePage(
  props: Shell & {
    vehicle: Vehicle;
    history: HistoryRow[];
    campaigns: VehicleCampaignEntry[];
    flash: FlashMessage | null;
    /** The lifecycle form, when the user may change the vehicle's lifecycle and a move is left. */
    lifecycle: Child;
  },
) {
  const v = props.vehicle;
  return (
    <Page title={`Vehicle ${v.vin}`} section="fleet" user={props.user} csrf={props.csrf}>
      <BackLink href="/ui/fleet">All vehicles</BackLink>
      <h1>Vehicle {v.vin}</h1>
      <Flash kind={props.flash?.kind ?? 'ok'} text={props.flash?.text} />
      <p>
        <VehicleSecurityEventsLink vin={v.vin} />
      </p>
      <div class="card">
        <dl class="facts">
          <dt>Model</dt>
          <dd>
            {v.modelId} ({v.modelYear})
          </dd>
          <dt>Region</dt>
          <dd>{v.region}</dd>
          <dt>Lifecycle</dt>
          <dd>
            <span class={`badge s-${v.lifecycle}`}>{humanize(v.lifecycle)}</span>
          </dd>
          <dt>Tags</dt>
          <dd>{v.tags.length ? v.tags.join(', ') : '—'}</dd>
          <dt>Time zone</dt>
          <dd>{v.timeZone}</dd>
        </dl>
      </div>
      {props.lifecycle}
      <h2 id="ecus">ECUs</h2>
      <table aria-labelledby="ecus">
        <TableHead columns={['Name', 'Serial', 'Hardware id', 'Installed version', 'ASIL', 'Last report']} />
        <tbody>
          {v.ecus.map((e) => (
            <tr>
              <td>{e.name}</td>
              <td>{e.serial}</td>
              <td>{e.hardwareId}</td>
              <td>{e.installedVersion}</td>
              <td>{e.asil ?? '—'}</td>
              <td>{formatTime(e.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2 id="campaigns">Campaigns</h2>
      {props.campaigns.length === 0 ? (
        <p>This vehicle has not been in a campaign.</p>
      ) : (
        <table aria-labelledby="campaigns">
          <TableHead columns={['Campaign', 'Vehicle state', 'Since', 'Error']} />
          <tbody>
            {props.campaigns.map((c) => (
              <tr>
                <td>
                  <a href={`/ui/campaigns/${c.campaignId}`}>{c.campaignName}</a>{' '}
                  <span class={`badge s-${c.campaignState}`}>{humanize(c.campaignState)}</span>
                </td>
                <td>
                  <span class={`badge s-${c.state}`}>{humanize(c.state)}</span>
                </td>
                <td>{formatTime(c.stateChangedAt)}</td>
                <td>{c.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2 id="history">Software history</h2>
      <table aria-labelledby="history">
        <TableHead columns={['When', 'ECU', 'Hardware id', 'From', 'To', 'Source']} />
        <tbody>
          {props.history.map((h) => (
            <tr>
              <td>{formatTime(h.at)}</td>
              <td>{h.ecuSerial}</td>
              <td>{h.hardwareId}</td>
              <td>{h.fromVersion ?? '—'}</td>
              <td>{h.toVersion}</td>
              <td>{h.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  );
}
