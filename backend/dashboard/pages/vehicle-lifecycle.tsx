import type { VehicleLifecycle } from '../../fleet/types.ts';
import type { AuthUser } from '../../http/auth.ts';
import { Page } from '../layout.tsx';
import { LabelledInput } from './form-fields.tsx';

/** Each lifecycle move as the form offers it, and what it does (the service's consequences). */
export const LIFECYCLE_MOVES: Record<VehicleLifecycle, { label: string; effect: string }> = {
  isolated: {
    label: 'Isolate',
    effect: 'No campaign reaches it any more; its waiting campaign entries are cancelled.',
  },
  ownership_transferred: {
    label: 'Transfer ownership',
    effect: "The owner data and the gateway's key are reset (a new owner reference may be given).",
  },
  end_of_life: {
    label: 'End of life',
    effect: 'Final: it is never updated again; its waiting campaign entries are cancelled.',
  },
  active: { label: 'Reactivate', effect: 'Campaigns may target it again.' },
};

export interface LifecycleValues {
  to: string;
  reason: string;
  newOwnerRef: string;
}

/** The vehicle page's lifecycle form: a move, its reason, and for a transfer the new owner. */
export function LifecycleForm(props: {
  vin: string;
  csrf: string;
  moves: readonly VehicleLifecycle[];
  values: LifecycleValues;
  error: { field: string; text: string } | undefined;
}) {
  const invalid = (field: string) =>
    props.error?.field === field ? { 'aria-invalid': 'true', 'aria-describedby': 'lifecycle-error' } : {};
  return (
    <section aria-labelledby="h-lifecycle" class="card">
      <h2 id="h-lifecycle" style="margin-top:0">
        Change the lifecycle
      </h2>
      {props.error ? (
        <p class="flash error" role="alert" id="lifecycle-error">
          {props.error.text}
        </p>
      ) : null}
      <form method="post" action={`/ui/fleet/${props.vin}/lifecycle`}>
        <input type="hidden" name="_csrf" value={props.csrf} />
        <fieldset>
          <legend>Change</legend>
          {props.moves.map((m, i) => (
            <label style="font-weight:400">
              <input
                type="radio"
                name="to"
                value={m}
                required
                checked={props.values.to ? props.values.to === m : i === 0}
              />{' '}
              <strong>{LIFECYCLE_MOVES[m].label}</strong>: {LIFECYCLE_MOVES[m].effect}
            </label>
          ))}
        </fieldset>
        <div class="inline">
          <LabelledInput
            field={{ id: 'lc-reason', name: 'reason', label: 'Reason' }}
            value={props.values.reason}
            attrs={{ required: true, maxlength: 2000, style: 'width:100%', ...invalid('reason') }}
          />
          <LabelledInput
            field={{ id: 'lc-owner', name: 'newOwnerRef', label: 'New owner reference (ownership transfer only)' }}
            value={props.values.newOwnerRef}
            attrs={{ maxlength: 200, ...invalid('newOwnerRef') }}
          />
        </div>
        <p>
          <button type="submit">Review the change…</button>
        </p>
      </form>
    </section>
  );
}

/** The confirmation step: the move, its consequences and reason, sent again with confirm=yes. */
export function ConfirmLifecyclePage(props: {
  user: AuthUser;
  csrf: string;
  vin: string;
  from: VehicleLifecycle;
  to: VehicleLifecycle;
  reason: string;
  newOwnerRef: string;
}) {
  const move = LIFECYCLE_MOVES[props.to];
  return (
    <Page title={`${move.label} ${props.vin}?`} section="fleet" user={props.user} csrf={props.csrf}>
      <h1>
        {move.label} vehicle {props.vin}?
      </h1>
      <div class="card">
        <p>{move.effect}</p>
        <dl class="facts">
          <dt>Now</dt>
          <dd>{props.from.replace(/_/g, ' ')}</dd>
          <dt>After</dt>
          <dd>{props.to.replace(/_/g, ' ')}</dd>
          <dt>Reason</dt>
          <dd>{props.reason}</dd>
          {props.to === 'ownership_transferred' ? (
            <>
              <dt>New owner reference</dt>
              <dd>{props.newOwnerRef || 'none (owner data reset)'}</dd>
            </>
          ) : null}
        </dl>
        <form method="post" action={`/ui/fleet/${props.vin}/lifecycle`} class="actions">
          <input type="hidden" name="_csrf" value={props.csrf} />
          <input type="hidden" name="to" value={props.to} />
          <input type="hidden" name="reason" value={props.reason} />
          <input type="hidden" name="newOwnerRef" value={props.newOwnerRef} />
          <input type="hidden" name="confirm" value="yes" />
          <button type="submit" class={props.to === 'active' ? '' : 'danger'}>
            {`Confirm: ${move.label.toLowerCase()}`}
          </button>
          <a href={`/ui/fleet/${props.vin}`}>Do not change it</a>
        </form>
      </div>
    </Page>
  );
}
