import { describe, expect, it } from 'vitest';
import { auditFilterFrom, describeFilterErrors, parseUtcTime } from './audit-filter.ts';

const query = (q: Record<string, string>) => (name: string) => q[name];

describe('audit page filter', () => {
  it('reads dates and times as UTC and refuses days that do not exist', () => {
    expect(parseUtcTime('2026-12-04 10:30')?.toISOString()).toBe('2026-12-04T10:30:00.000Z');
    expect(parseUtcTime('2026-12-04')?.toISOString()).toBe('2026-12-04T00:00:00.000Z');
    expect(parseUtcTime('2026-02-31')).toBeNull();
    expect(parseUtcTime('2026-12-04 24:00')).toBeNull();
    expect(parseUtcTime('yesterday')).toBeNull();
  });

  it('takes a "To" date as the whole day and leaves empty fields out', () => {
    const r = auditFilterFrom(query({ actor: ' maria ', from: '2026-12-01', to: '2026-12-04' }));
    expect(r).toMatchObject({
      ok: true,
      filter: { actor: 'maria', entityType: undefined, newestFirst: true },
    });
    if (!r.ok) throw new Error('refused');
    expect(r.filter.from?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(r.filter.to?.toISOString()).toBe('2026-12-05T00:00:00.000Z');
  });

  it('names the fields by their labels and keeps what was typed', () => {
    const r = auditFilterFrom(query({ from: 'last week', to: '2026-12-04', entityType: 'campaign' }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.form).toMatchObject({ from: 'last week', entityType: 'campaign' });
    expect(describeFilterErrors(r.errors)).toBe('From: expected YYYY-MM-DD or YYYY-MM-DD HH:MM (UTC), got “last week”');
    const reversed = auditFilterFrom(query({ from: '2026-12-04 10:00', to: '2026-12-04 09:00' }));
    expect(reversed.ok ? '' : describeFilterErrors(reversed.errors)).toBe('To: must be later than From');
  });
});
