import type { Campaign } from '../../campaigns/service.ts';
import type { AuthUser } from '../../http/auth.ts';
import type { FlashMessage } from '../flash.ts';
import { Flash, Page } from '../layout.tsx';
import { BackLink } from './back-link.tsx';

/** The confirmation step before a draft is deleted: what goes, and the reason the audit log keeps. */
export function DeleteDraftPage(props: {
  user: AuthUser;
  csrf: string;
  campaign: Pick<Campaign, 'id' | 'name' | 'state'>;
  flash: FlashMessage | null;
  reason?: string;
}) {
  const c = props.campaign;
  return (
    <Page title={`Delete ${c.name}`} section="campaigns" user={props.user} csrf={props.csrf}>
      <BackLink href={`/ui/campaigns/${c.id}`}>Back to the campaign</BackLink>
      <h1>Delete the draft “{c.name}”?</h1>
      <Flash kind={props.flash?.kind ?? 'error'} text={props.flash?.text} />
      <p>
        The draft, its releases, vulnerabilities and waves are deleted; the audit log keeps what it was, who deleted it
        and why. Only a draft can be deleted.
      </p>
      <form method="post" action={`/ui/campaigns/${c.id}/delete`} class="card">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <label for="reason">Reason for deleting</label>
        <input
          id="reason"
          name="reason"
          required
          maxlength={2000}
          value={props.reason ?? ''}
          style="width:100%"
          aria-invalid={props.flash?.kind === 'error' ? 'true' : undefined}
        />
        <p class="actions">
          <button type="submit" class="danger">
            Delete draft
          </button>
          <a href={`/ui/campaigns/${c.id}`}>Keep it</a>
        </p>
      </form>
    </Page>
  );
}
