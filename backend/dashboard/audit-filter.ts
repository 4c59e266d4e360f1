import type { AuditFilter } from '../audit/service.ts';

/** The audit page's filter form as typed, kept so a refused value is shown again. */
export interface AuditFilterForm {
  entityType: string;
  entityId: string;
  actor: string;
  from: string;
  to: string;
}

export type AuditFilterResult =
  | { ok: true; form: AuditFilterForm; filter: AuditFilter }
  | { ok: false; form: AuditFilterForm; errors: { field: keyof AuditFilterForm; message: string }[] };

/** The labels the form shows: errors name fields the way the user sees them. */
export const AUDIT_FILTER_LABELS: Record<keyof AuditFilterForm, string> = {
  entityType: 'Entity type',
  entityId: 'Entity id',
  actor: 'Actor',
  from: 'From',
  to: 'To',
};

const TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?$/;

/** "2026-12-04" or "2026-12-04 10:30", read as UTC (the dashboard shows UTC); null when not a real time. */
export function parseUtcTime(text: string): Date | null {
  const m = TIME.exec(text);
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0'] = m.slice(1).map((p) => p ?? '0');
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)));
  // Date.UTC rolls 2026-02-31 over to March: a round trip shows the day or time did not exist.
  const ok =
    date.getUTCFullYear() === Number(y) &&
    date.getUTCMonth() === Number(mo) - 1 &&
    date.getUTCDate() === Number(d) &&
    date.getUTCHours() === Number(h) &&
    date.getUTCMinutes() === Number(mi);
  return ok ? date : null;
}

const DAY_MS = 86_400_000;

/**
 * Reads the filter from the query string. A date without a time means the whole day: "To 2026-12-04"
 * includes that day.
 */
export function auditFilterFrom(get: (name: string) => string | undefined): AuditFilterResult {
  const field = (name: keyof AuditFilterForm) => (get(name) ?? '').trim().slice(0, 200);
  const form: AuditFilterForm = {
    entityType: field('entityType'),
    entityId: field('entityId'),
    actor: field('actor'),
    from: field('from'),
    to: field('to'),
  };
  const errors: { field: keyof AuditFilterForm; message: string }[] = [];
  const time = (name: 'from' | 'to'): Date | undefined => {
    if (!form[name]) return undefined;
    const at = parseUtcTime(form[name]);
    if (at === null) {
      errors.push({ field: name, message: `expected YYYY-MM-DD or YYYY-MM-DD HH:MM (UTC), got “${form[name]}”` });
      return undefined;
    }
    return name === 'to' && !form.to.includes(':') ? new Date(at.getTime() + DAY_MS) : at;
  };
  const from = time('from');
  const to = time('to');
  if (from && to && to <= from) errors.push({ field: 'to', message: 'must be later than From' });
  if (errors.length > 0) return { ok: false, form, errors };
  const optional = (v: string) => v || undefined;
  return {
    ok: true,
    form,
    filter: {
      entityType: optional(form.entityType),
      entityId: optional(form.entityId),
      actor: optional(form.actor),
      from,
      to,
      newestFirst: true,
    },
  };
}

export function describeFilterErrors(errors: { field: keyof AuditFilterForm; message: string }[]): string {
  return errors.map((e) => `${AUDIT_FILTER_LABELS[e.field]}: ${e.message}`).join('; ');
}
