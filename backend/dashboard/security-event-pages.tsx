import { z } from 'zod';
import { ProblemError } from '../http/problem.ts';
import { SecurityEventIdParam, SecurityEventQuery } from '../security-events/schemas.ts';
import {
  isolateVehicleFromEvent,
  listSecurityEvents,
  openVulnerabilityFromEvent,
  securityEventWithProposals,
  type SecurityEventFilter,
} from '../security-events/service.ts';
import { actorFor, pageShell, requireOperation } from './context.ts';
import type { DashboardApp, PageContext } from './context.ts';
import { setFlash, takeFlash } from './flash.ts';
import { SecurityEventPage, SecurityEventsPage } from './pages/security-events.tsx';

// The security events pages: the filtered list (also a vehicle's events, by ?vin=), one event with the
// actions the rules propose, and the operator's confirmation of each (the API's roles apply).

const LIST = 'get /api/security-events';
const OPEN = 'post /api/security-events/{id}/open-vulnerability';
const ISOLATE = 'post /api/security-events/{id}/isolate-vehicle';

/** A datetime-local value (no zone) is read as UTC. */
const asUtc = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(v) ? `${v}:00Z` : v);
const PageFilter = SecurityEventQuery.extend({
  from: z.preprocess(asUtc, SecurityEventQuery.shape.from),
  to: z.preprocess(asUtc, SecurityEventQuery.shape.to),
});

function eventId(raw: string): string {
  const parsed = SecurityEventIdParam.safeParse({ id: raw });
  if (!parsed.success) throw new ProblemError(404, 'not-found', 'Not found', `no security event ${raw}`);
  return parsed.data.id;
}

export function registerSecurityEventPages(app: DashboardApp, ctx: PageContext): void {
  app.get('/security-events', requireOperation(ctx.roles, LIST), async (c) => {
    const query = Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v !== ''));
    const parsed = PageFilter.safeParse({ limit: 200, ...query, vin: query.vin?.toUpperCase() });
    const filter: SecurityEventFilter = parsed.success ? parsed.data : { limit: 200 };
    const error = parsed.success
      ? null
      : `Filter not applied: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
    const page = await listSecurityEvents(ctx.db, filter);
    return c.html(
      <SecurityEventsPage {...pageShell(c)} filter={filter} events={page.items} error={error} />,
      parsed.success ? 200 : 422,
    );
  });

  app.get('/security-events/:id', requireOperation(ctx.roles, LIST), async (c) => {
    const { event, proposals } = await securityEventWithProposals(ctx.db, eventId(c.req.param('id')));
    const user = c.get('user');
    const canAct = ctx.roles.allows(user, OPEN) && ctx.roles.allows(user, ISOLATE);
    return c.html(
      <SecurityEventPage {...pageShell(c)} e={event} proposals={proposals} canAct={canAct} flash={takeFlash(c)} />,
    );
  });

  app.post('/security-events/:id/open-vulnerability', requireOperation(ctx.roles, OPEN), async (c) => {
    const id = eventId(c.req.param('id'));
    try {
      const e = await openVulnerabilityFromEvent(ctx.db, actorFor(c.get('user')), id);
      setFlash(c, { kind: 'ok', text: `Vulnerability #${e.vulnerabilityId} opened from this event.` });
    } catch (err) {
      if (!(err instanceof ProblemError)) throw err;
      setFlash(c, { kind: 'error', text: err.message });
    }
    return c.redirect(`/ui/security-events/${id}`, 303);
  });

  app.post('/security-events/:id/isolate-vehicle', requireOperation(ctx.roles, ISOLATE), async (c) => {
    const id = eventId(c.req.param('id'));
    const form = await c.req.parseBody();
    const reason = typeof form.reason === 'string' ? form.reason.trim() : '';
    try {
      if (!reason) throw new ProblemError(422, 'validation-error', 'Invalid request', 'reason: say why');
      const e = await isolateVehicleFromEvent(ctx.db, actorFor(c.get('user')), id, reason);
      setFlash(c, { kind: 'ok', text: `Vehicle ${e.vin} isolated.` });
    } catch (err) {
      if (!(err instanceof ProblemError)) throw err;
      setFlash(c, { kind: 'error', text: err.message });
    }
    return c.redirect(`/ui/security-events/${id}`, 303);
  });
}
