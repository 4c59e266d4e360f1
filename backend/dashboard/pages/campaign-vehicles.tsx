import type { CampaignState, VehicleCampaignState } from '../../campaigns/types.ts';
import { VEHICLE_CAMPAIGN_STATES } from '../../campaigns/types.ts';
import type { AuthUser } from '../../http/auth.ts';
import type { Page as ListPage } from '../../http/pagination.ts';
import type { CampaignVehicleRow } from '../campaign-vehicle-rows.ts';
import { formatBytes, formatDuration, formatTime, humanize, nrcLabel } from '../format.ts';
import { Page } from '../layout.tsx';
import { PageLinks, PageSizeSelect } from './paging.tsx';
import { BackLink } from './back-link.tsx';

/** The table's columns: heading, and whether it holds figures (right-aligned). */
const COLUMNS: [string, boolean][] = [
  ['VIN', false],
  ['Wave', true],
  ['State', false],
  ['Vehicle error', false],
  ['ECU', false],
  ['From', false],
  ['To', false],
  ['Result', false],
  ['NRC', false],
  ['ECU error', false],
  ['Bytes on the bus', true],
  ['Duration', true],
];

interface Filter {
  state: VehicleCampaignState | undefined;
  limit: number;
  cursor: string | undefined;
}

function query(id: number, f: Partial<Filter>): string {
  const p = new URLSearchParams();
  if (f.state) p.set('state', f.state);
  if (f.limit) p.set('limit', String(f.limit));
  if (f.cursor) p.set('cursor', f.cursor);
  const q = p.toString();
  return `/ui/campaigns/${id}/vehicles${q ? `?${q}` : ''}`;
}

function FilterForm(props: { id: number; filter: Filter; counts: Record<string, number> }) {
  const total = Object.values(props.counts).reduce((a, b) => a + b, 0);
  return (
    <search>
      <form method="get" action={`/ui/campaigns/${props.id}/vehicles`} class="card actions" role="search">
        <div>
          <label for="state">State</label>
          <select id="state" name="state">
            <option value="">{`All states (${total})`}</option>
            {VEHICLE_CAMPAIGN_STATES.map((s) => (
              <option value={s} selected={props.filter.state === s}>
                {`${humanize(s)} (${props.counts[s] ?? 0})`}
              </option>
            ))}
          </select>
        </div>
        <PageSizeSelect id="limit" selected={props.filter.limit} label="Vehicles per page" />
        <button type="submit">Show</button>
      </form>
    </search>
  );
}

function VehicleRows(props: { v: CampaignVehicleRow }) {
  const v = props.v;
  const span = Math.max(1, v.ecus.length);
  const first = v.ecus[0];
  const vehicleCells = (
    <>
      <th scope="rowgroup" rowspan={span}>
        <a href={`/ui/fleet/${v.vin}`}>{v.vin}</a>
      </th>
      <td rowspan={span} class="num">
        {v.waveNo}
      </td>
      <td rowspan={span}>
        <span class={`badge s-${v.state}`}>{humanize(v.state)}</span>
        <div class="hint">since {formatTime(v.stateChangedAt)}</div>
      </td>
      <td rowspan={span}>{v.error ?? '—'}</td>
    </>
  );
  const ecuCells = (e: CampaignVehicleRow['ecus'][number]) => (
    <>
      <td>
        {e.name} <span class="hint">{e.hardwareId}</span>
      </td>
      <td>{e.fromVersion}</td>
      <td>{e.toVersion}</td>
      <td>{e.result ? <span class={`badge s-${e.result}`}>{humanize(e.result)}</span> : '—'}</td>
      <td>{nrcLabel(e.nrc)}</td>
      <td>{e.error ?? '—'}</td>
      <td class="num">{formatBytes(e.bytesOnBus)}</td>
      <td class="num">{formatDuration(e.durationMs)}</td>
    </>
  );
  return (
    <tbody data-vin={v.vin}>
      <tr>
        {vehicleCells}
        {first ? ecuCells(first) : <td colspan={8}>No ECU plan recorded.</td>}
      </tr>
      {v.ecus.slice(1).map((e) => (
        <tr>{ecuCells(e)}</tr>
      ))}
    </tbody>
  );
}

/** A campaign's vehicles with each ECU's versions and outcome, filtered by state and paged by VIN. */
export function CampaignVehiclesPage(props: {
  user: AuthUser;
  csrf: string;
  campaign: { id: number; name: string; state: CampaignState };
  counts: Record<string, number>;
  filter: Filter;
  page: ListPage<CampaignVehicleRow>;
}) {
  const c = props.campaign;
  const f = props.filter;
  const caption = f.state ? `Vehicles ${humanize(f.state)}` : 'All vehicles';
  return (
    <Page title={`Vehicles of ${c.name}`} section="campaigns" user={props.user} csrf={props.csrf}>
      <BackLink href={`/ui/campaigns/${c.id}`}>{c.name}</BackLink>
      <h1>
        Vehicles of {c.name} <span class={`badge s-${c.state}`}>{humanize(c.state)}</span>
      </h1>
      <FilterForm id={c.id} filter={f} counts={props.counts} />
      {props.page.items.length === 0 ? (
        <p role="status">{f.state ? `No vehicle is ${humanize(f.state)}.` : 'This campaign has no vehicles yet.'}</p>
      ) : (
        <div class="scroll">
          <table id="campaign-vehicles">
            <caption>{caption}, ordered by VIN</caption>
            <thead>
              <tr>
                {COLUMNS.map(([heading, numeric]) => (
                  <th scope="col" class={numeric ? 'num' : undefined}>
                    {heading}
                  </th>
                ))}
              </tr>
            </thead>
            {props.page.items.map((v) => (
              <VehicleRows v={v} />
            ))}
          </table>
        </div>
      )}
      <PageLinks
        first={f.cursor ? query(c.id, { state: f.state, limit: f.limit }) : null}
        next={
          props.page.nextCursor ? query(c.id, { state: f.state, limit: f.limit, cursor: props.page.nextCursor }) : null
        }
      />
    </Page>
  );
}
