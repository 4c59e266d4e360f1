// Display helpers shared by the pages. Times are shown in UTC so that every viewer reads the same.
import { nrcName } from '@ota/protocol/uds-nrc';

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

/** A stored NRC ("0x72") with its ISO 14229-1 name: "0x72 generalProgrammingFailure". */
export function nrcLabel(nrc: string | null): string {
  if (!nrc) return '—';
  const m = /^0x([0-9a-f]{1,2})$/i.exec(nrc.trim());
  return m?.[1] ? `${nrc} ${nrcName(parseInt(m[1], 16))}` : nrc;
}

/** Bytes with a binary unit: "4.0 KiB". */
export function formatBytes(n: number | null): string {
  if (n === null) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** A duration in milliseconds: "850 ms", "12.4 s", "3 min 5 s". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
