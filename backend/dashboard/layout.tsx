import type { Child } from 'hono/jsx';
import type { AuthUser } from '../http/auth.ts';
import { STYLES } from './styles.ts';

// Inline, so the browser never asks for /favicon.ico (a 404 in the console) and no request needs a session.
const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%2314213d'/%3E%3Cpath d='M4 8h8M8 4v8' stroke='%23fff' stroke-width='2'/%3E%3C/svg%3E";

export type Section = 'campaigns' | 'releases' | 'vulnerabilities' | 'fleet' | 'security' | 'audit' | 'admin' | 'none';

/** What every signed-in page is rendered with: the user (for the navigation) and the CSRF token its forms post. */
export interface PageShell {
  user: AuthUser;
  csrf: string;
}

interface PageProps {
  title: string;
  section: Section;
  user: AuthUser | null;
  csrf?: string;
  /** Extra tags for <head>, e.g. uPlot's stylesheet. */
  head?: Child;
  children: Child;
}

const NAV: { section: Exclude<Section, 'none'>; href: string; label: string }[] = [
  { section: 'campaigns', href: '/ui/campaigns', label: 'Campaigns' },
  { section: 'releases', href: '/ui/releases', label: 'Releases' },
  { section: 'vulnerabilities', href: '/ui/vulnerabilities', label: 'Vulnerabilities' },
  { section: 'fleet', href: '/ui/fleet', label: 'Fleet' },
  { section: 'security', href: '/ui/security-events', label: 'Security events' },
  { section: 'audit', href: '/ui/audit', label: 'Audit' },
  { section: 'admin', href: '/ui/admin/users', label: 'Admin' },
];

/** The page shell: skip link, banner with navigation, one main landmark. */
export function Page(props: PageProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {props.csrf ? <meta name="csrf-token" content={props.csrf} /> : null}
        <title>{`${props.title} · OTA dashboard`}</title>
        <link rel="icon" type="image/svg+xml" href={FAVICON} />
        <style>{STYLES}</style>
        {props.head}
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <span class="brand">OTA dashboard</span>
          {props.user ? (
            <nav aria-label="Main">
              <ul>
                {NAV.map((n) => (
                  <li>
                    <a href={n.href} aria-current={n.section === props.section ? 'page' : undefined}>
                      {n.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
          {props.user ? (
            <form method="post" action="/ui/sign-out" class="who">
              <input type="hidden" name="_csrf" value={props.csrf ?? ''} />
              <span>
                {props.user.name} <small>({props.user.roles.join(', ')})</small>
              </span>
              <button type="submit">Sign out</button>
            </form>
          ) : null}
        </header>
        <main id="main" tabindex={-1}>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** A message above the content, e.g. after an action; `role=status` so screen readers announce it. */
export function Flash(props: { kind: 'ok' | 'error'; text: string | undefined }) {
  if (!props.text) return null;
  return (
    <p class={`flash ${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.text}
    </p>
  );
}
