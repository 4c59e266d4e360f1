import type { AuditVerification } from '../../audit/chain.ts';
import type { AuditEntry } from '../../audit/service.ts';
import type { AuthUser } from '../../http/auth.ts';
import { AUDIT_FILTER_LABELS } from '../audit-filter.ts';
import type { AuditFilterForm } from '../audit-filter.ts';
import { formatTime } from '../format.ts';
import { Flash, Page } from '../layout.tsx';
import { TableHead } from './table-head.tsx';

export interface AuditPageProps {
  user: AuthUser;
  csrf: string;
  form: AuditFilterForm;
  /** Null when the filter was refused: nothing is listed then. */
  entries: AuditEntry[] | null;
  errors: { field: keyof AuditFilterForm; message: string }[];
  /** The query string of the next (older) page, or null on the last. */
  olderHref: string | null;
  verification: AuditVerification | null;
  canDownloadEvidence: boolean;
}

/** "user:7:maria" is shown as "maria"; system actors as they are. */
export function actorName(label: string): string {
  const m = /^user:\d+:(.*)$/.exec(label);
  return m?.[1] ?? label;
}

function FilterField(props: {
  name: keyof AuditFilterForm;
  form: AuditFilterForm;
  errors: AuditPageProps['errors'];
  hint?: string;
}) {
  const error = props.errors.find((e) => e.field === props.name);
  const id = `f-${props.name}`;
  const described = [props.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div>
      <label for={id}>{AUDIT_FILTER_LABELS[props.name]}</label>
      <input
        id={id}
        name={props.name}
        value={props.form[props.name]}
        autocomplete="off"
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described || undefined}
      />
      {props.hint ? (
        <div class="hint" id={`${id}-hint`}>
          {props.hint}
        </div>
      ) : null}
      {error ? (
        <div class="field-error" id={`${id}-error`}>
          {error.message}
        </div>
      ) : null}
    </div>
  );
}

function VerificationResult(props: { result: AuditVerification }) {
  const r = props.result;
  return r.ok ? (
    <p class="flash ok" role="status" id="verification">
      Chain intact: {r.entries} entries, every hash recomputed; head <code>{r.headHash.slice(0, 16)}…</code>
    </p>
  ) : (
    <p class="flash error" role="alert" id="verification">
      Chain BROKEN at entry {r.firstBadSeq}: {r.problem} ({r.entries} entries before it are intact)
    </p>
  );
}

function EntryRow(props: { e: AuditEntry }) {
  const e = props.e;
  const change = { before: e.before, after: e.after, details: e.details };
  const hasChange = Object.values(change).some((v) => v !== null);
  return (
    <tr>
      <td class="num">{e.seq}</td>
      <td>{formatTime(e.at)}</td>
      <td>{actorName(e.actor)}</td>
      <td>{e.action}</td>
      <td>
        {e.entityType} {e.entityId}
      </td>
      <td class="wrap">{e.reason ?? ''}</td>
      <td>
        {hasChange ? (
          <details>
            <summary>Show</summary>
            <pre class="json">{JSON.stringify(change, null, 2)}</pre>
          </details>
        ) : null}
      </td>
    </tr>
  );
}

export function AuditLogPage(props: AuditPageProps) {
  const { form, errors } = props;
  return (
    <Page title="Audit log" section="audit" user={props.user} csrf={props.csrf}>
      <h1>Audit log</h1>
      <div class="actions">
        <form method="get" action="/ui/audit/verify">
          <button type="submit">Verify the chain</button>
        </form>
        {props.canDownloadEvidence ? (
          <a class="button secondary" href="/ui/evidence">
            Campaign evidence
          </a>
        ) : null}
      </div>
      {props.verification ? <VerificationResult result={props.verification} /> : null}
      <Flash
        kind="error"
        text={errors.length ? 'The filter was not applied: correct the fields marked below.' : undefined}
      />
      <search>
        <form method="get" action="/ui/audit" class="card" aria-label="Filter the audit log">
          <div class="inline">
            <FilterField name="entityType" form={form} errors={errors} hint="e.g. campaign, release, user" />
            <FilterField name="entityId" form={form} errors={errors} />
            <FilterField name="actor" form={form} errors={errors} hint="a user name, or system" />
            <FilterField name="from" form={form} errors={errors} hint="YYYY-MM-DD or YYYY-MM-DD HH:MM, UTC" />
            <FilterField name="to" form={form} errors={errors} hint="a date alone includes that day" />
          </div>
          <p class="actions">
            <button type="submit">Filter</button>
            <a href="/ui/audit">Clear</a>
          </p>
        </form>
      </search>
      {props.entries === null ? null : props.entries.length === 0 ? (
        <p>No entries match.</p>
      ) : (
        <table aria-label="Audit entries, newest first">
          <TableHead columns={['#', 'Time', 'Actor', 'Action', 'Entity', 'Reason', 'Change']} />
          <tbody>
            {props.entries.map((e) => (
              <EntryRow e={e} />
            ))}
          </tbody>
        </table>
      )}
      {props.olderHref ? (
        <p>
          <a href={props.olderHref} rel="next">
            Older entries
          </a>
        </p>
      ) : null}
    </Page>
  );
}
