import { z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/auth.ts';
import { actorOf } from '../http/actor.ts';
import type { RouteDeps } from '../http/deps.ts';
import { IdParam, jsonBody, jsonResponse, securedRoute } from '../http/route.ts';
import { deleteDraftCampaign } from './delete-draft.ts';
import { retryFailedVehicles } from './retry-failed.ts';
import { CampaignActionBody } from './schemas.ts';

/** The campaign manager's role for these routes, as for every other campaign change but approval. */
export const CAMPAIGN_MANAGERS = ['campaign_manager'] as const;
const tags = ['campaigns'];

/** Deleting a draft and retrying failed vehicles. */
export function registerCampaignManageRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  app.openapi(
    securedRoute(CAMPAIGN_MANAGERS, {
      method: 'delete',
      path: '/api/campaigns/{id}',
      tags,
      summary: 'Delete a draft campaign (only drafts; the audit log keeps it)',
      request: { params: IdParam, body: jsonBody(CampaignActionBody) },
      responses: { 204: { description: 'deleted' } },
    }),
    async (c) => {
      await deleteDraftCampaign(deps.db, actorOf(c), c.req.valid('param').id, c.req.valid('json').reason);
      return c.body(null, 204);
    },
  );
  app.openapi(
    securedRoute(CAMPAIGN_MANAGERS, {
      method: 'post',
      path: '/api/campaigns/{id}/retry-failed',
      tags,
      summary: 'Offer the failed and rolled-back vehicles of a running or paused campaign again',
      request: { params: IdParam, body: jsonBody(CampaignActionBody) },
      responses: {
        200: jsonResponse(z.object({ retriedVehicles: z.number().int() }), 'how many vehicles go back to pending'),
      },
    }),
    async (c) =>
      c.json(
        await retryFailedVehicles(deps.db, actorOf(c), c.req.valid('param').id, c.req.valid('json').reason, deps.now()),
        200,
      ),
  );
}
