import { Flash, Page } from '../layout.tsx';

/** The only page visible without a session. */
export function SignInPage(props: { next: string; error?: string }) {
  return (
    <Page title="Sign in" section="none" user={null}>
      <h1>Sign in</h1>
      <Flash kind="error" text={props.error} />
      <form method="post" action="/ui/sign-in" class="card" style="max-width:32rem">
        <input type="hidden" name="next" value={props.next} />
        <label for="token">API token</label>
        <p class="hint" id="token-hint">
          The dashboard uses the same tokens and roles as the API. The token is kept in an HttpOnly cookie for this site
          only.
        </p>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          required
          aria-describedby="token-hint"
          style="width:100%"
          autofocus
        />
        <p>
          <button type="submit">Sign in</button>
        </p>
      </form>
    </Page>
  );
}
