import type { Context } from 'hono';
import { attempt, textFields } from './form-errors.ts';
import type { FieldLabels } from './form-errors.ts';
import { setFlash } from './flash.ts';
import type { Draft, Refused } from './pages/form-fields.tsx';
import type { DashboardEnv } from './session.ts';

/** The posted form's text fields, trimmed, without the CSRF token: what to show again if refused. */
export async function readDraft(c: Context<DashboardEnv>): Promise<Draft> {
  const draft = textFields(await c.req.parseBody({ all: true }));
  delete draft._csrf;
  return draft;
}

/**
 * A post from a page with several forms: on success the outcome is flashed and the browser sent back
 * (post/redirect/get); a refusal renders the page again, that form filled in with its messages.
 */
export async function postPageForm<T>(
  c: Context<DashboardEnv>,
  spec: {
    form: (draft: Draft) => string;
    labels: FieldLabels;
    action: (draft: Draft) => Promise<T>;
    refused: (refused: Refused) => Promise<Response>;
    done: (value: T) => { text: string; to: string };
  },
): Promise<Response> {
  const draft = await readDraft(c);
  const result = await attempt(spec.labels, () => spec.action(draft));
  if (!result.ok) return spec.refused({ form: spec.form(draft), messages: result.messages, draft });
  const { text, to } = spec.done(result.value);
  setFlash(c, { kind: 'ok', text });
  return c.redirect(to, 303);
}
