import type { Context } from 'hono';
import { canMoveLifecycle, LIFECYCLE_TRANSITIONS } from '../fleet/lifecycle.ts';
import { LifecycleChange, VehicleListQuery } from '../fleet/schemas.ts';
import {
  changeVehicleLifecycle,
  listVehicleModels,
  listVehicles,
  loadVehicle,
  vehicleHistory,
} from '../fleet/service.ts';
import type { AuthUser } from '../http/auth.ts';
import { ProblemError } from '../http/problem.ts';
import { actorFor, pageShell, requireOperation } from './context.ts';
import type { DashboardApp, PageContext } from './context.ts';
import { setFlash, takeFlash } from './flash.ts';
import { FLEET_FILTER_LABELS, FleetListPage, VehiclePage } from './pages/fleet.tsx';
import type { FleetFilterValues } from './pages/fleet.tsx';
import { pageSizeOf } from './pages/paging.tsx';
import { ConfirmLifecyclePage, LifecycleForm, LIFECYCLE_MOVES } from './pages/vehicle-lifecycle.tsx';
import type { LifecycleValues } from './pages/vehicle-lifecycle.tsx';
import type { DashboardEnv } from './session.ts';
import { campaignsOfVehicle } from './queries.ts';

const VIN = /^[A-HJ-NPR-Z0-9]{17}$/;
const LIFECYCLE_OPERATION = 'post /api/vehicles/{vin}/lifecycle';

function filterValues(c: Context<DashboardEnv>): FleetFilterValues {
  const q = (name: string) => (c.req.query(name) ?? '').trim();
  return {
    vin: q('vin').toUpperCase(),
    modelId: q('modelId'),
    modelYear: q('modelYear'),
    region: q('region'),
    hardwareId: q('hardwareId'),
    installedVersion: q('installedVersion'),
    lifecycle: q('lifecycle'),
    limit: pageSizeOf(q('limit')),
  };
}

/** The first issue of a refused form, named by the form's label. */
function firstIssue(
  issues: { path: PropertyKey[]; message: string }[],
  labels: Record<string, string>,
): { field: string; text: string } {
  const issue = issues[0];
  const field = String(issue?.path[0] ?? '');
  return { field, text: `${labels[field] ?? field}: ${issue?.message ?? 'invalid'}` };
}

async function renderVehicle(
  c: Context<DashboardEnv>,
  ctx: PageContext,
  vin: string,
  form: { values: LifecycleValues; error: { field: string; text: string } | undefined },
  status: 200 | 409 | 422 = 200,
) {
  const user: AuthUser = c.get('user');
  const [vehicle, history, campaigns] = await Promise.all([
    loadVehicle(ctx.db, vin),
    vehicleHistory(ctx.db, vin, { limit: 500 }),
    campaignsOfVehicle(ctx.db, vin),
  ]);
  const moves = LIFECYCLE_TRANSITIONS[vehicle.lifecycle];
  const lifecycle =
    ctx.roles.allows(user, LIFECYCLE_OPERATION) && moves.length > 0 ? (
      <LifecycleForm vin={vin} csrf={c.get('csrf')} moves={moves} values={form.values} error={form.error} />
    ) : null;
  return c.html(
    <VehiclePage
      user={user}
      csrf={c.get('csrf')}
      vehicle={vehicle}
      history={history.items.reverse()}
      campaigns={campaigns}
      flash={takeFlash(c)}
      lifecycle={lifecycle}
    />,
    status,
  );
}

const LIFECYCLE_LABELS = { to: 'Change', reason: 'Reason', newOwnerRef: 'New owner reference' };

export function registerFleetPages(app: DashboardApp, ctx: PageContext): void {
  app.get('/fleet', requireOperation(ctx.roles, 'get /api/vehicles'), async (c) => {
    const values = filterValues(c);
    if (VIN.test(values.vin)) return c.redirect(`/ui/fleet/${values.vin}`, 303);
    const cursor = c.req.query('cursor') || undefined;
    // The API's own list query checks the filters, so the page refuses what the API refuses.
    const parsed = VehicleListQuery.safeParse(
      Object.fromEntries(
        Object.entries({ ...values, vinPrefix: values.vin, vin: '', limit: '' }).filter(([, v]) => v !== ''),
      ),
    );
    const models = (await listVehicleModels(ctx.db, { limit: 500 })).items;
    const labels: Record<string, string> = { ...FLEET_FILTER_LABELS, vinPrefix: FLEET_FILTER_LABELS.vin };
    const error = parsed.success ? undefined : firstIssue(parsed.error.issues, labels);
    const page = parsed.success
      ? await listVehicles(ctx.db, parsed.data, { limit: values.limit, cursor })
      : { items: [], nextCursor: null };
    return c.html(
      <FleetListPage
        {...pageShell(c)}
        values={values}
        models={models}
        error={error ? { ...error, field: error.field === 'vinPrefix' ? 'vin' : error.field } : undefined}
        vehicles={page.items}
        cursor={cursor}
        nextCursor={page.nextCursor}
      />,
      error ? 422 : 200,
    );
  });

  app.get('/fleet/:vin', requireOperation(ctx.roles, 'get /api/vehicles/{vin}/history'), async (c) => {
    const vin = c.req.param('vin').toUpperCase();
    if (!VIN.test(vin)) return c.redirect(`/ui/fleet?vin=${encodeURIComponent(vin.slice(0, 17))}`, 303);
    return renderVehicle(c, ctx, vin, { values: { to: '', reason: '', newOwnerRef: '' }, error: undefined });
  });

  /** Without confirm=yes: checks the change and asks to confirm it; with it: makes the change. */
  app.post('/fleet/:vin/lifecycle', requireOperation(ctx.roles, LIFECYCLE_OPERATION), async (c) => {
    const vin = c.req.param('vin').toUpperCase();
    const form = await c.req.parseBody();
    const str = (name: string) => (typeof form[name] === 'string' ? form[name].trim() : '');
    const values: LifecycleValues = { to: str('to'), reason: str('reason'), newOwnerRef: str('newOwnerRef') };
    const parsed = LifecycleChange.safeParse({
      to: values.to,
      reason: values.reason,
      ...(values.newOwnerRef ? { newOwnerRef: values.newOwnerRef } : {}),
    });
    if (!parsed.success)
      return renderVehicle(c, ctx, vin, { values, error: firstIssue(parsed.error.issues, LIFECYCLE_LABELS) }, 422);
    const vehicle = await loadVehicle(ctx.db, vin);
    const change = parsed.data;
    if (!canMoveLifecycle(vehicle.lifecycle, change.to)) {
      const text = `${LIFECYCLE_MOVES[change.to].label}: not possible from ${vehicle.lifecycle.replace(/_/g, ' ')}`;
      return renderVehicle(c, ctx, vin, { values, error: { field: 'to', text } }, 409);
    }
    if (str('confirm') !== 'yes') {
      return c.html(
        <ConfirmLifecyclePage
          {...pageShell(c)}
          vin={vin}
          from={vehicle.lifecycle}
          to={change.to}
          reason={change.reason}
          newOwnerRef={values.newOwnerRef}
        />,
      );
    }
    try {
      const after = await changeVehicleLifecycle(ctx.db, actorFor(c.get('user')), vin, change);
      setFlash(c, { kind: 'ok', text: `Vehicle ${vin} is now ${after.lifecycle.replace(/_/g, ' ')}.` });
    } catch (err) {
      if (!(err instanceof ProblemError)) throw err;
      return renderVehicle(c, ctx, vin, { values, error: { field: 'to', text: err.message } }, 409);
    }
    return c.redirect(`/ui/fleet/${vin}`, 303);
  });
}
