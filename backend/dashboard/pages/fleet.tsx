import type { AuthUser } from '../../http/auth.ts';
import type { Vehicle } from '../../fleet/service.ts';
import { formatTime, humanize } from '../format.ts';
import { Page } from '../layout.tsx';
import type { VehicleCampaignEntry } from '../queries.ts';
import { VehicleSecurityEventsLink } from './security-events.tsx';

interface Shell {
  user: AuthUser;
  csrf: string;
}

function SearchForm(props: { query: string }) {
  return (
    <search>
      <form method="get" action="/ui/fleet" class="card actions" role="search">
        <div>
          <label for="vin">VIN</label>
          <input
            id="vin"
            name="vin"
            value={props.query}
            maxlength={17}
            autocomplete="off"
            aria-describedby="vin-hint"
            style="width:18rem;text-transform:uppercase"
          />
          <div class="hint" id="vin-hint">
            The full 17 characters, or the first few to list matches.
          </div>
        </div>
        <button type="submit">Search</button>
      </form>
    </search>
  );
}

export function FleetSearchPage(props: Shell & { query: string; matches: string[] | null }) {
  return (
    <Page title="Fleet" section="fleet" user={props.user} csrf={props.csrf}>
      <h1>Fleet</h1>
      <SearchForm query={props.query} />
      {props.matches === null ? null : props.matches.length === 0 ? (
        <p role="status">No vehicle's VIN starts with “{props.query}”.</p>
      ) : (
        <section aria-labelledby="matches">
          <h2 id="matches">Matching vehicles</h2>
          <ul>
            {props.matches.map((vin) => (
              <li>
                <a href={`/ui/fleet/${vin}`}>{vin}</a>
              </li>
            ))}
          </ul>
        </section>
      )}
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
  props: Shell & { vehicle: Vehicle; history: HistoryRow[]; campaigns: VehicleCampaignEntry[] },
) {
  const v = props.vehicle;
  return (
    <Page title={`Vehicle ${v.vin}`} section="fleet" user={props.user} csrf={props.csrf}>
      <SearchForm query="" />
      <h1>Vehicle {v.vin}</h1>
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
      <h2 id="ecus">ECUs</h2>
      <table aria-labelledby="ecus">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Serial</th>
            <th scope="col">Hardware id</th>
            <th scope="col">Installed version</th>
            <th scope="col">ASIL</th>
            <th scope="col">Last report</th>
          </tr>
        </thead>
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
          <thead>
            <tr>
              <th scope="col">Campaign</th>
              <th scope="col">Vehicle state</th>
              <th scope="col">Since</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
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
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">ECU</th>
            <th scope="col">Hardware id</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
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
