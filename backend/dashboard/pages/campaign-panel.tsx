import type { CampaignState } from '../../campaigns/types.ts';
import type { CampaignAction } from '../campaign-view.ts';
import { APPROVAL_ACTIONS, ApprovalForm } from './campaign-approval.tsx';

/** What the actions panel of a campaign page shows: the state's banner and the actions open to the user. */
export interface PanelView {
  id: number;
  state: CampaignState;
  csrf: string;
  currentWave: number | null;
  /** State actions legal now and allowed to the user (allowedActions). */
  actions: CampaignAction[];
  /** Failed vehicles the user may send again; 0 when retrying is not open to them. */
  retryable: number;
  canDelete: boolean;
}

const ACTION_LABELS: Record<CampaignAction, { label: string; style: string; reason: boolean }> = {
  submit: { label: 'Submit for approval', style: '', reason: false },
  approve: { label: 'Approve', style: '', reason: true },
  reject: { label: 'Reject', style: 'danger', reason: true },
  start: { label: 'Start', style: '', reason: false },
  pause: { label: 'Pause', style: 'secondary', reason: true },
  resume: { label: 'Resume', style: '', reason: false },
  complete: { label: 'Complete campaign', style: 'secondary', reason: true },
  cancel: { label: 'Cancel campaign', style: 'danger', reason: true },
};

/** What each campaign state means for the vehicles, said once above the actions. */
function bannerText(state: CampaignState, wave: number | null): string {
  switch (state) {
    case 'draft':
      return 'Draft: nothing is offered yet. Submitting resolves the target vehicles and asks for approval.';
    case 'pending_approval':
      return 'Waiting for approval by an approver other than its creator.';
    case 'approved':
      return 'Approved: starting it opens wave 1 and vehicles are offered the update.';
    case 'running':
      return `Running: vehicles of wave ${wave ?? 1} and earlier are being offered the update.`;
    case 'paused':
      return 'Paused: no new offers; vehicles already downloading or installing finish and report.';
    case 'completed':
      return 'Completed: no more offers; vehicles never offered were cancelled.';
    case 'cancelled':
      return 'Cancelled: no more offers; installs already under way still report their result.';
  }
}

function ReasonField(props: { id: string; label: string }) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <input id={props.id} name="reason" required maxlength={2000} />
    </div>
  );
}

/** The banner and the action forms; also served alone (/ui/campaigns/:id/panel) when the state changes live. */
export function CampaignPanel(props: { view: PanelView }) {
  const v = props.view;
  const none = v.actions.length === 0 && v.retryable === 0 && !v.canDelete;
  return (
    <>
      <p class={`banner s-${v.state}`} data-state={v.state}>
        {bannerText(v.state, v.currentWave)}
      </p>
      {none ? <p class="hint">No action is open to you in this state.</p> : null}
      <div class="actions">
        <ApprovalForm id={v.id} csrf={v.csrf} actions={v.actions} />
        {v.actions
          .filter((a) => !APPROVAL_ACTIONS.includes(a))
          .map((a) => {
            const spec = ACTION_LABELS[a];
            return (
              <form method="post" action={`/ui/campaigns/${v.id}/${a}`}>
                <input type="hidden" name="_csrf" value={v.csrf} />
                {spec.reason ? <ReasonField id={`reason-${a}`} label={`Reason to ${a}`} /> : null}
                <button type="submit" class={spec.style}>
                  {spec.label}
                </button>
              </form>
            );
          })}
        {v.retryable > 0 ? (
          <form method="post" action={`/ui/campaigns/${v.id}/retry-failed`}>
            <input type="hidden" name="_csrf" value={v.csrf} />
            <ReasonField id="reason-retry" label="Reason to retry" />
            <button type="submit">{`Retry ${v.retryable} failed vehicle${v.retryable === 1 ? '' : 's'}`}</button>
          </form>
        ) : null}
        {v.canDelete ? (
          <a class="button danger" href={`/ui/campaigns/${v.id}/delete`}>
            Delete draft…
          </a>
        ) : null}
      </div>
    </>
  );
}
