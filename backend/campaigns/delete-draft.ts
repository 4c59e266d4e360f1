import { appendAudit } from '../audit/service.ts';
import type { Actor } from '../audit/service.ts';
import type { Db } from '../db/database.ts';
import { conflict } from '../http/problem.ts';
import { loadCampaign } from './service.ts';
import { DELETABLE_CAMPAIGN_STATES } from './states.ts';
import { clearTargets } from './targeting.ts';

/** Deletes a draft campaign with its releases, vulnerabilities and waves; the audit log keeps what it was. */
export async function deleteDraftCampaign(db: Db, actor: Actor, id: number, reason: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Locked first, so a submit cannot slip in between the check and the delete.
    await trx.selectFrom('campaigns').select('id').where('id', '=', id).forUpdate().execute();
    const before = await loadCampaign(trx, id);
    if (!DELETABLE_CAMPAIGN_STATES.includes(before.state)) {
      throw conflict(
        `campaign ${id} is ${before.state.replace(/_/g, ' ')}; only a draft can be deleted`,
        'not-a-draft',
      );
    }
    await clearTargets(trx, id);
    await trx.deleteFrom('campaign_releases').where('campaign_id', '=', id).execute();
    await trx.deleteFrom('campaign_vulnerabilities').where('campaign_id', '=', id).execute();
    await trx.deleteFrom('campaign_waves').where('campaign_id', '=', id).execute();
    await trx.deleteFrom('campaigns').where('id', '=', id).execute();
    await appendAudit(trx, {
      actor,
      action: 'campaign.delete',
      entityType: 'campaign',
      entityId: id,
      before,
      reason,
    });
  });
}
