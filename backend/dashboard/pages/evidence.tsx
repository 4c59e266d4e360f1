import type { Campaign } from '../../campaigns/service.ts';
import type { AuthUser } from '../../http/auth.ts';
import { humanize } from '../format.ts';
import { Page } from '../layout.tsx';

/** Pick a campaign and a format; the download is the API's own export, as the signed-in user. */
export function EvidencePage(props: { user: AuthUser; csrf: string; campaigns: Campaign[] }) {
  return (
    <Page title="Campaign evidence" section="audit" user={props.user} csrf={props.csrf}>
      <h1>Campaign evidence</h1>
      <p class="hint">
        The export a regulator asks for: the campaign, its approvals and audit trail, the releases and vulnerabilities,
        and every vehicle's ECU results. The JSON quotes the audit head, for <code>verify-audit --expect-head</code>.
      </p>
      {props.campaigns.length === 0 ? (
        <p>No campaigns yet.</p>
      ) : (
        <form method="get" action="/ui/evidence/download" class="card">
          <label for="campaign">Campaign</label>
          <select id="campaign" name="campaign" required>
            {props.campaigns.map((c) => (
              <option value={String(c.id)}>{`#${c.id} ${c.name} (${humanize(c.state)})`}</option>
            ))}
          </select>
          <fieldset>
            <legend>Format</legend>
            <label>
              <input type="radio" name="format" value="json" checked /> JSON bundle
            </label>
            <label>
              <input type="radio" name="format" value="csv" /> CSV, one line per vehicle and ECU
            </label>
          </fieldset>
          <button type="submit">Download evidence</button>
        </form>
      )}
    </Page>
  );
}
