// Display helpers shared by the pages. Times are shown in UTC so that every viewer reads the same.

export function formatTime(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const d = typeof value === 'string' ? new Date(value) : value;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export type TimeLeft = { overdue: boolean; text: string; ms: number };

/** "12 days left" / "3 hours overdue": the unit is the largest one that is at least 1. */
export function timeLeft(deadline: Date | string, now: Date): TimeLeft {
  const ms = new Date(deadline).getTime() - now.getTime();
  const abs = Math.abs(ms);
  const [n, unit] =
    abs >= 86_400_000
      ? [Math.floor(abs / 86_400_000), 'day']
      : abs >= 3_600_000
        ? [Math.floor(abs / 3_600_000), 'hour']
        : [Math.max(1, Math.floor(abs / 60_000)), 'minute'];
  const amount = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return ms < 0 ? { overdue: true, text: `${amount} overdue`, ms } : { overdue: false, text: `${amount} left`, ms };
}

export function percent(part: number, whole: number): string {
  if (whole <= 0) return '0 %';
  const p = (100 * part) / whole;
  return `${p >= 10 || p === 0 ? Math.round(p) : p.toFixed(1)} %`;
}

export function humanize(state: string): string {
  return state.replace(/_/g, ' ');
}
