import type { AuditEntry } from '../../audit/service.ts';
import { formatTime, humanize } from '../format.ts';

/** "user:7:rita" -> "rita"; the system actor stays "system". */
export function actorName(actor: string): string {
  const m = /^user:\d+:(.*)$/.exec(actor);
  return m?.[1] ?? actor;
}

/** One line of what an entry changed, given by the page (e.g. the deadline's move). */
export type Describe = (entry: AuditEntry) => string | null;

/**
 * An entity's history from the audit log, oldest first: what happened, who did it, when, and the
 * reason they gave. An ordered list, so screen readers announce the number of events.
 */
export function AuditTimeline(props: { id: string; title: string; entries: AuditEntry[]; describe: Describe }) {
  return (
    <section class="card" aria-labelledby={props.id}>
      <h2 id={props.id} style="margin-top:0">
        {props.title}
      </h2>
      {props.entries.length === 0 ? (
        <p class="hint">Nothing recorded yet.</p>
      ) : (
        <ol class="timeline">
          {props.entries.map((e) => {
            const what = props.describe(e);
            return (
              <li>
                <time datetime={e.at}>{formatTime(e.at)}</time>{' '}
                <strong>{humanize(e.action.split('.').at(-1) ?? e.action)}</strong> by {actorName(e.actor)}
                {what ? <div>{what}</div> : null}
                {e.reason ? <div class="reason">Reason: {e.reason}</div> : null}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
