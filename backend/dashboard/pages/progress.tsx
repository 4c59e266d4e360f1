import { GROUP_COLOURS, GROUP_NAMES, groupCounts, totalOf } from '../campaign-view.ts';
import type { StateCounts } from '../campaign-view.ts';
import { humanize, percent } from '../format.ts';

/** A stacked bar of the state groups, with its figures as text for screen readers. */
export function ProgressBar(props: { counts: StateCounts; id?: string }) {
  const groups = groupCounts(props.counts);
  const total = totalOf(props.counts);
  const done = groups.succeeded + groups.failed + groups.not_updated;
  const label = `${done} of ${total} vehicles finished: ${GROUP_NAMES.map((g) => `${groups[g]} ${humanize(g)}`).join(', ')}`;
  return (
    <div class="progress" id={props.id} data-progress>
      <div class="bar" role="img" aria-label={label}>
        {GROUP_NAMES.map((g) => (
          <span
            data-group={g}
            title={`${humanize(g)}: ${groups[g]}`}
            style={`width:${total ? (100 * groups[g]) / total : 0}%;background:${GROUP_COLOURS[g]}`}
          ></span>
        ))}
      </div>
      <small data-progress-text>
        {percent(groups.succeeded, total)} succeeded · {groups.failed} failed · {total} vehicles
      </small>
    </div>
  );
}
