import { loadVehicle, vehicleHistory } from '../fleet/service.ts';
import { requireOperation } from './context.ts';
import type { DashboardApp, PageContext } from './context.ts';
import { FleetSearchPage, VehiclePage } from './pages/fleet.tsx';
import { campaignsOfVehicle, vinsByPrefix } from './queries.ts';

const VIN = /^[A-HJ-NPR-Z0-9]{17}$/;

export function registerFleetPages(app: DashboardApp, ctx: PageContext): void {
  app.get('/fleet', requireOperation(ctx.roles, 'get /api/vehicles/{vin}'), async (c) => {
    const query = (c.req.query('vin') ?? '').trim().toUpperCase();
    if (VIN.test(query)) return c.redirect(`/ui/fleet/${query}`, 303);
    const matches = query ? await vinsByPrefix(ctx.db, query, 50) : null;
    return c.html(<FleetSearchPage user={c.get('user')} csrf={c.get('csrf')} query={query} matches={matches} />);
  });

  app.get('/fleet/:vin', requireOperation(ctx.roles, 'get /api/vehicles/{vin}/history'), async (c) => {
    const vin = c.req.param('vin').toUpperCase();
    if (!VIN.test(vin)) return c.redirect(`/ui/fleet?vin=${encodeURIComponent(vin.slice(0, 17))}`, 303);
    const [vehicle, history, campaigns] = await Promise.all([
      loadVehicle(ctx.db, vin),
      vehicleHistory(ctx.db, vin, { limit: 500 }),
      campaignsOfVehicle(ctx.db, vin),
    ]);
    return c.html(
      <VehiclePage
        user={c.get('user')}
        csrf={c.get('csrf')}
        vehicle={vehicle}
        history={history.items.reverse()}
        campaigns={campaigns}
      />,
    );
  });
}
