import type { Context } from 'hono';
import { verifyAuditChain } from '../audit/chain.ts';
import type { AuditVerification } from '../audit/chain.ts';
import { listAuditEntries } from '../audit/service.ts';
import { listCampaigns } from '../campaigns/service.ts';
import { invalid } from '../http/problem.ts';
import { apiGetAsUser } from './api-call.ts';
import { auditFilterFrom } from './audit-filter.ts';
import { pageShell, requireOperation } from './context.ts';
import type { DashboardApp, PageContext } from './context.ts';
import type { DashboardEnv } from './session.ts';
import { AuditLogPage } from './pages/audit.tsx';
import { EvidencePage } from './pages/evidence.tsx';

const PAGE_SIZE = 50;
const EVIDENCE = 'get /api/campaigns/{id}/evidence';

/** The auditor's pages: the log (filtered, paged, newest first), its verification, campaign evidence. */
export function registerAuditPages(app: DashboardApp, ctx: PageContext): void {
  const canRead = requireOperation(ctx.roles, 'get /api/audit');

  const logPage = (verification: AuditVerification | null) =>
    async function render(c: Context<DashboardEnv>) {
      const user = c.get('user');
      const parsed = auditFilterFrom((name) => c.req.query(name));
      const cursor = c.req.query('cursor');
      const page = parsed.ok
        ? await listAuditEntries(ctx.db, parsed.filter, { limit: PAGE_SIZE, cursor: cursor || undefined })
        : null;
      const next = new URLSearchParams(Object.entries(parsed.form).filter(([, v]) => v !== ''));
      if (page?.nextCursor) next.set('cursor', page.nextCursor);
      return c.html(
        <AuditLogPage
          {...pageShell(c)}
          form={parsed.form}
          errors={parsed.ok ? [] : parsed.errors}
          entries={page?.items ?? null}
          olderHref={page?.nextCursor ? `/ui/audit?${next.toString()}` : null}
          verification={verification}
          canDownloadEvidence={ctx.roles.allows(user, EVIDENCE)}
        />,
        parsed.ok ? 200 : 422,
      );
    };

  app.get('/audit', canRead, logPage(null));
  // The API's verification (GET /api/audit/verify): one implementation, the whole chain recomputed.
  app.get('/audit/verify', requireOperation(ctx.roles, 'get /api/audit/verify'), async (c) =>
    logPage(await verifyAuditChain(ctx.db))(c),
  );

  const canExport = requireOperation(ctx.roles, EVIDENCE);
  app.get('/evidence', canExport, async (c) => {
    const campaigns = await listCampaigns(ctx.db, {}, { limit: 500 });
    return c.html(<EvidencePage user={c.get('user')} csrf={c.get('csrf')} campaigns={campaigns.items.reverse()} />);
  });
  app.get('/evidence/download', canExport, async (c) => {
    const id = Number(c.req.query('campaign'));
    if (!Number.isSafeInteger(id) || id <= 0) throw invalid('Campaign', 'choose a campaign');
    const format = c.req.query('format') === 'csv' ? 'csv' : 'json';
    return apiGetAsUser(ctx.api, c, `/api/campaigns/${id}/evidence?format=${format}`);
  });
}
