import { SECURITY_EVENT_TYPES, SECURITY_SEVERITIES } from '@ota/protocol';
import type { ProposedAction } from '../../security-events/rules.ts';
import type { SecurityEventFilter, StoredSecurityEvent } from '../../security-events/service.ts';
import type { FlashMessage } from '../flash.ts';
import { formatTime, humanize } from '../format.ts';
import { Flash, Page } from '../layout.tsx';
import type { PageShell } from '../layout.tsx';

type Shell = PageShell;

/** The link a vehicle page shows to its security events (the filtered list). */
export function VehicleSecurityEventsLink(props: { vin: string }) {
  return <a href={`/ui/security-events?vin=${props.vin}`}>Security events of {props.vin}</a>;
}

function Select(props: { name: string; label: string; options: readonly string[]; value: string | undefined }) {
  return (
    <div>
      <label for={props.name}>{props.label}</label>
      <select id={props.name} name={props.name}>
        <option value="">any</option>
        {props.options.map((o) => (
          <option value={o} selected={o === props.value}>
            {humanize(o)}
          </option>
        ))}
      </select>
    </div>
  );
}

function FilterForm(props: { filter: SecurityEventFilter }) {
  const f = props.filter;
  return (
    <search>
      <form method="get" action="/ui/security-events" class="card actions" role="search">
        <div>
          <label for="vin">VIN</label>
          <input id="vin" name="vin" value={f.vin ?? ''} maxlength={17} autocomplete="off" />
        </div>
        <Select name="type" label="Type" options={SECURITY_EVENT_TYPES} value={f.type} />
        <Select name="severity" label="Severity" options={SECURITY_SEVERITIES} value={f.severity} />
        <div>
          <label for="from">From (UTC)</label>
          <input id="from" name="from" type="datetime-local" value={f.from?.slice(0, 16) ?? ''} />
        </div>
        <div>
          <label for="to">To (UTC)</label>
          <input id="to" name="to" type="datetime-local" value={f.to?.slice(0, 16) ?? ''} />
        </div>
        <button type="submit">Filter</button>
      </form>
    </search>
  );
}

function Links(props: { e: StoredSecurityEvent }) {
  const { campaignId, vulnerabilityId } = props.e;
  return (
    <>
      {campaignId !== null ? <a href={`/ui/campaigns/${campaignId}`}>campaign #{campaignId}</a> : null}
      {campaignId !== null && vulnerabilityId !== null ? ', ' : null}
      {vulnerabilityId !== null ? (
        <a href={`/ui/vulnerabilities/${vulnerabilityId}`}>vulnerability #{vulnerabilityId}</a>
      ) : null}
    </>
  );
}

export function SecurityEventsPage(
  props: Shell & { filter: SecurityEventFilter; events: StoredSecurityEvent[]; error: string | null },
) {
  return (
    <Page title="Security events" section="security" user={props.user} csrf={props.csrf}>
      <h1>Security events</h1>
      <p class="hint">
        What the vehicles' gateways refused or saw on their buses, signed by each vehicle, newest first.
      </p>
      <FilterForm filter={props.filter} />
      <Flash kind="error" text={props.error ?? undefined} />
      {props.events.length === 0 ? (
        <p role="status">No security events match.</p>
      ) : (
        <table aria-label="Security events">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Vehicle</th>
              <th scope="col">Type</th>
              <th scope="col">Severity</th>
              <th scope="col">Details</th>
              <th scope="col">Concerns</th>
            </tr>
          </thead>
          <tbody>
            {props.events.map((e) => (
              <tr>
                <td>
                  <a href={`/ui/security-events/${e.id}`}>{formatTime(e.occurredAt)}</a>
                </td>
                <td>
                  <a href={`/ui/security-events?vin=${e.vin}`}>{e.vin}</a>
                </td>
                <td>{humanize(e.type)}</td>
                <td class={`severity-${e.severity}`}>{e.severity}</td>
                <td>{e.details}</td>
                <td>
                  <Links e={e} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

const ACTION_LABEL: Record<ProposedAction['action'], string> = {
  open_vulnerability: 'Open a vulnerability',
  isolate_vehicle: 'Isolate the vehicle',
};

export function SecurityEventPage(
  props: Shell & {
    e: StoredSecurityEvent;
    proposals: ProposedAction[];
    canAct: boolean;
    flash: FlashMessage | null;
  },
) {
  const e = props.e;
  return (
    <Page title={`Security event ${e.id}`} section="security" user={props.user} csrf={props.csrf}>
      <h1>Security event {e.id}</h1>
      {props.flash ? <Flash kind={props.flash.kind} text={props.flash.text} /> : null}
      <div class="card">
        <dl class="facts">
          <dt>Vehicle</dt>
          <dd>
            <a href={`/ui/fleet/${e.vin}`}>{e.vin}</a> (<VehicleSecurityEventsLink vin={e.vin} />)
          </dd>
          <dt>Type</dt>
          <dd>{humanize(e.type)}</dd>
          <dt>Severity</dt>
          <dd>{e.severity}</dd>
          <dt>Occurred</dt>
          <dd>{formatTime(e.occurredAt)}</dd>
          <dt>Received</dt>
          <dd>{formatTime(e.receivedAt)}</dd>
          <dt>Details</dt>
          <dd>{e.details}</dd>
          <dt>Concerns</dt>
          <dd>
            <Links e={e} />
          </dd>
          <dt>Vehicle isolated</dt>
          <dd>{e.vehicleIsolatedAt ? formatTime(e.vehicleIsolatedAt) : 'no'}</dd>
          <dt>Sent to the SIEM</dt>
          <dd>{e.siemDeliveredAt ? formatTime(e.siemDeliveredAt) : 'not yet'}</dd>
        </dl>
        <pre>{JSON.stringify(e.event, null, 2)}</pre>
      </div>
      <section aria-labelledby="proposals">
        <h2 id="proposals">Proposed actions</h2>
        {props.proposals.length === 0 ? <p>No rule proposes an action (now).</p> : null}
        {props.proposals.map((p) => (
          <form method="post" action={`/ui/security-events/${e.id}/${p.action.replace('_', '-')}`} class="card actions">
            <input type="hidden" name="_csrf" value={props.csrf} />
            <p>{p.reason}</p>
            {p.action === 'isolate_vehicle' ? (
              <div>
                <label for="reason">Reason</label>
                <input id="reason" name="reason" required maxlength={2000} />
              </div>
            ) : null}
            {props.canAct ? (
              <button type="submit">{ACTION_LABEL[p.action]}</button>
            ) : (
              <span class="hint">Your roles do not allow this.</span>
            )}
          </form>
        ))}
      </section>
    </Page>
  );
}
