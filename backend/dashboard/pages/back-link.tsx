import type { Child } from 'hono/jsx';

/** The link up to the list or page this one belongs to, above the page's heading. */
export function BackLink(props: { href: string; children: Child }) {
  return (
    <p>
      <a href={props.href}>← {props.children}</a>
    </p>
  );
}
