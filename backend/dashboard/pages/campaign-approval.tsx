import type { CampaignAction } from '../campaign-view.ts';

/** The approver's two answers to a submitted campaign; both need a comment, the audit log's reason. */
export const APPROVAL_ACTIONS: readonly CampaignAction[] = ['approve', 'reject'];

export const COMMENT_LABEL = 'Comment';

/**
 * One comment and the two decisions, so what the approver wrote goes with whichever they choose: a
 * rejection sends the campaign back to draft.
 */
export function ApprovalForm(props: { id: number; csrf: string; actions: CampaignAction[] }) {
  const offered = APPROVAL_ACTIONS.filter((a) => props.actions.includes(a));
  if (offered.length === 0) return null;
  return (
    <form method="post" action={`/ui/campaigns/${props.id}/approve`} class="approval" aria-label="Approval" novalidate>
      <input type="hidden" name="_csrf" value={props.csrf} />
      <label for="approval-comment">{COMMENT_LABEL}</label>
      <textarea
        id="approval-comment"
        name="reason"
        rows={3}
        maxlength={2000}
        required
        aria-describedby="approval-comment-hint"
        style="width:100%"
      ></textarea>
      <div class="hint" id="approval-comment-hint">
        Recorded in the audit log as the reason for your decision.
      </div>
      <div class="actions" style="margin-top:.5rem">
        {offered.includes('approve') ? <button type="submit">Approve</button> : null}
        {offered.includes('reject') ? (
          <button type="submit" class="danger" formaction={`/ui/campaigns/${props.id}/reject`}>
            Reject
          </button>
        ) : null}
      </div>
    </form>
  );
}
