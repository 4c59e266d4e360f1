import type { Child } from 'hono/jsx';
import type { AuthUser } from '../http/auth.ts';
import { STYLES } from './styles.ts';

export type Section = 'campaigns' | 'vulnerabilities' | 'fleet' | 'security' | 'none';

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
  { section: 'vulnerabilities', href: '/ui/vulnerabilities', label: 'Vulnerabilities' },
  { section: 'fleet', href: '/ui/fleet', label: 'Fleet' },
  { section: 'security', href: '/ui/security-events', label: 'Security events' },
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
