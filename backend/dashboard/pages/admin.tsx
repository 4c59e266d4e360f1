import type { Child } from 'hono/jsx';
import { ROLES } from '../../users/types.ts';
import type { Role } from '../../users/types.ts';
import type { IssuedToken, TokenSummary, User } from '../../users/service.ts';
import type { FlashMessage } from '../flash.ts';
import { formatTime, humanize } from '../format.ts';
import { Flash, Page } from '../layout.tsx';
import type { PageShell } from '../layout.tsx';
import { LabelledInput } from './form-fields.tsx';
import { TableHead } from './table-head.tsx';

type Shell = PageShell;

/** What a form showed when the API refused it: the values typed and an error per field ("_" for the form). */
export interface FormState {
  values: Record<string, string | string[]>;
  errors: Record<string, string>;
}

export const ROLE_DUTIES: Record<Role, string> = {
  campaign_manager: 'plans, starts, pauses and completes update campaigns',
  security_engineer: 'reports and assesses vulnerabilities, remediation and advisories',
  release_engineer: 'creates releases, uploads images, moves them through testing',
  approver: 'approves campaigns and authorises releases (four-eyes)',
  auditor: 'reads the audit log, verifies it, downloads evidence',
  admin: 'manages users, roles and API tokens',
};

const Csrf = (props: { csrf: string }) => <input type="hidden" name="_csrf" value={props.csrf} />;

function FieldError(props: { id: string; state: FormState | undefined; field: string }) {
  const text = props.state?.errors[props.field];
  return text ? (
    <div class="field-error" id={props.id}>
      {text}
    </div>
  ) : null;
}

function RoleChoices(props: { idPrefix: string; chosen: readonly string[]; state: FormState | undefined }) {
  const error = props.state?.errors.roles;
  return (
    <fieldset aria-describedby={error ? `${props.idPrefix}-roles-error` : undefined}>
      <legend>Roles</legend>
      <div class="inline">
        {ROLES.map((r) => (
          <label>
            <input type="checkbox" name="roles" value={r} checked={props.chosen.includes(r)} /> {humanize(r)}
          </label>
        ))}
      </div>
      <FieldError id={`${props.idPrefix}-roles-error`} state={props.state} field="roles" />
    </fieldset>
  );
}

function TextField(props: { id: string; name: string; label: string; state: FormState | undefined; hint?: string }) {
  const raw = props.state?.values[props.name];
  const error = props.state?.errors[props.name];
  const described = [props.hint ? `${props.id}-hint` : '', error ? `${props.id}-error` : ''].filter(Boolean).join(' ');
  return (
    <LabelledInput
      field={props}
      value={typeof raw === 'string' ? raw : ''}
      attrs={{
        required: true,
        autocomplete: 'off',
        'aria-invalid': error ? 'true' : undefined,
        'aria-describedby': described || undefined,
      }}
    >
      <FieldError id={`${props.id}-error`} state={props.state} field={props.name} />
    </LabelledInput>
  );
}

/** A posted form: CSRF token, and the API's refusal (if any) above the fields. */
function PostForm(props: {
  action: string;
  csrf: string;
  state: FormState | undefined;
  class?: string;
  labelledBy?: string;
  label?: string;
  children: Child;
}) {
  return (
    <form
      method="post"
      action={props.action}
      class={props.class}
      aria-labelledby={props.labelledBy}
      aria-label={props.label}
    >
      <FormAlert state={props.state} />
      <Csrf csrf={props.csrf} />
      {props.children}
    </form>
  );
}

function FormAlert(props: { state: FormState | undefined }) {
  const general = props.state?.errors._;
  const any = props.state && Object.keys(props.state.errors).length > 0;
  return any ? <Flash kind="error" text={general ?? 'Not saved: correct the fields marked below.'} /> : null;
}

export function UsersPage(
  props: Shell & { users: User[]; canCreate: boolean; newUser?: FormState; flash: FlashMessage | null },
) {
  const chosen = props.newUser?.values.roles;
  return (
    <Page title="Users" section="admin" user={props.user} csrf={props.csrf}>
      <h1>Users</h1>
      <p>
        <a href="/ui/admin/roles">What each role may do</a>
      </p>
      <Flash kind={props.flash?.kind ?? 'ok'} text={props.flash?.text} />
      <table aria-label="Users">
        <TableHead columns={['Name', 'Roles', 'Created', 'State']} />
        <tbody>
          {props.users.map((u) => (
            <tr>
              <td class="wrap">
                <a href={`/ui/admin/users/${u.id}`}>{u.name}</a>
              </td>
              <td>{u.roles.map(humanize).join(', ') || <span class="hint">none</span>}</td>
              <td>{formatTime(u.createdAt)}</td>
              <td>{u.disabledAt ? `disabled ${formatTime(u.disabledAt)}` : 'active'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.canCreate ? (
        <PostForm action="/ui/admin/users" csrf={props.csrf} state={props.newUser} class="card" labelledBy="new-user">
          <h2 id="new-user">New user</h2>
          <TextField
            id="new-name"
            name="name"
            label="Name"
            state={props.newUser}
            hint="letters, digits, space, . _ - @; unique"
          />
          <RoleChoices idPrefix="new" chosen={Array.isArray(chosen) ? chosen : []} state={props.newUser} />
          <button type="submit">Create user</button>
        </PostForm>
      ) : null}
    </Page>
  );
}

export interface UserPageProps extends Shell {
  subject: User;
  tokens: TokenSummary[];
  flash: FlashMessage | null;
  /** Shown once, right after it was issued; never stored in a readable form. */
  issued?: IssuedToken;
  forms?: { roles?: FormState; state?: FormState; token?: FormState; revoke?: FormState & { tokenId: number } };
}

function TokenTable(props: UserPageProps) {
  const base = `/ui/admin/users/${props.subject.id}`;
  const revoke = props.forms?.revoke;
  return props.tokens.length === 0 ? (
    <p>No tokens.</p>
  ) : (
    <table aria-label="API tokens">
      <TableHead columns={['Name', 'Created', 'State', 'Revoke']} />
      <tbody>
        {props.tokens.map((t) => (
          <tr>
            <td class="wrap">{t.name}</td>
            <td>{formatTime(t.createdAt)}</td>
            <td>{t.revokedAt ? `revoked ${formatTime(t.revokedAt)}` : 'active'}</td>
            <td>
              {t.revokedAt ? null : (
                <form method="post" action={`${base}/tokens/${t.id}/revoke`} class="actions">
                  <Csrf csrf={props.csrf} />
                  <TextField
                    id={`revoke-${t.id}`}
                    name="reason"
                    label={`Reason to revoke ${t.name}`}
                    state={revoke?.tokenId === t.id ? revoke : undefined}
                  />
                  <button type="submit" class="danger">
                    Revoke
                  </button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function UserPage(props: UserPageProps) {
  const u = props.subject;
  const base = `/ui/admin/users/${u.id}`;
  const forms = props.forms ?? {};
  const chosenRoles = forms.roles?.values.roles;
  return (
    <Page title={`User ${u.name}`} section="admin" user={props.user} csrf={props.csrf}>
      <p>
        <a href="/ui/admin/users">All users</a>
      </p>
      <h1 class="wrap">{u.name}</h1>
      <Flash kind={props.flash?.kind ?? 'ok'} text={props.flash?.text} />
      {props.issued ? (
        <div class="card" role="status">
          <h2>New token “{props.issued.name}”</h2>
          <p>Copy it now: it is shown only once and cannot be read back.</p>
          <code class="token" id="issued-token">
            {props.issued.token}
          </code>
        </div>
      ) : null}
      <dl class="facts card">
        <dt>Roles</dt>
        <dd>{u.roles.map(humanize).join(', ') || 'none'}</dd>
        <dt>Created</dt>
        <dd>{formatTime(u.createdAt)}</dd>
        <dt>State</dt>
        <dd id="user-state">{u.disabledAt ? `disabled since ${formatTime(u.disabledAt)}` : 'active'}</dd>
      </dl>
      <PostForm action={`${base}/roles`} csrf={props.csrf} state={forms.roles} class="card" labelledBy="roles-h">
        <h2 id="roles-h">Change roles</h2>
        <RoleChoices idPrefix="edit" chosen={Array.isArray(chosenRoles) ? chosenRoles : u.roles} state={forms.roles} />
        <TextField id="roles-reason" name="reason" label="Reason for the change" state={forms.roles} />
        <button type="submit">Save roles</button>
      </PostForm>
      <PostForm
        action={`${base}/${u.disabledAt ? 'enable' : 'disable'}`}
        csrf={props.csrf}
        state={forms.state}
        class="card"
        labelledBy="state-h"
      >
        <h2 id="state-h">{u.disabledAt ? 'Enable' : 'Disable'}</h2>
        <p class="hint">A disabled user's tokens stop working at once; their history stays.</p>
        <TextField
          id="state-reason"
          name="reason"
          label={u.disabledAt ? 'Reason to enable' : 'Reason to disable'}
          state={forms.state}
        />
        <button type="submit" class={u.disabledAt ? undefined : 'danger'}>
          {u.disabledAt ? 'Enable user' : 'Disable user'}
        </button>
      </PostForm>
      <section class="card" aria-labelledby="tokens-h">
        <h2 id="tokens-h">API tokens</h2>
        <FormAlert state={forms.revoke} />
        <TokenTable {...props} />
        <PostForm action={`${base}/tokens`} csrf={props.csrf} state={forms.token} label="New token">
          <TextField
            id="token-name"
            name="name"
            label="Token name"
            state={forms.token}
            hint="e.g. the laptop or CI job using it"
          />
          <button type="submit">Create token</button>
        </PostForm>
      </section>
    </Page>
  );
}

export function RolesPage(props: Shell & { roles: { role: Role; holders: number; operations: string[] }[] }) {
  return (
    <Page title="Roles" section="admin" user={props.user} csrf={props.csrf}>
      <h1>Roles</h1>
      <p class="hint">
        The dashboard offers each page and action to the roles of the matching API operation; this list is read from the
        API's routes.
      </p>
      <table aria-label="Roles">
        <TableHead columns={['Role', 'What they do', '#Users', 'API operations']} />
        <tbody>
          {props.roles.map((r) => (
            <tr>
              <td>{humanize(r.role)}</td>
              <td>{ROLE_DUTIES[r.role]}</td>
              <td class="num">{r.holders}</td>
              <td>
                <details>
                  <summary>{r.operations.length} operations</summary>
                  <ul>
                    {r.operations.map((op) => (
                      <li>
                        <code>{op}</code>
                      </li>
                    ))}
                  </ul>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  );
}
