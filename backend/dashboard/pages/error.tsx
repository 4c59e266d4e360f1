import type { AuthUser } from '../../http/auth.ts';
import { Page } from '../layout.tsx';

export function ErrorPage(props: { user: AuthUser | null; csrf: string | undefined; title: string; detail: string }) {
  return (
    <Page title={props.title} section="none" user={props.user} csrf={props.csrf ?? ''}>
      <h1>{props.title}</h1>
      <p role="alert">{props.detail}</p>
      <p>
        <a href="/ui/campaigns">Back to the campaigns</a>
      </p>
    </Page>
  );
}
