import { describe, expect, it } from 'vitest';
import { runningCampaign } from '../../test/integration/delivery/fixtures.ts';
import { useTestDatabase } from '../../test/support/db.ts';
import { claimOffers } from './claim-offers.ts';

const database = useTestDatabase();

describe('claimOffers', () => {
  it('claims pending vehicles of one wave in VIN order after the cursor, once, with an event each', async () => {
    const { campaignId, vins } = await runningCampaign(database.db, {
      prefix: 'CLM',
      count: 10,
      waves: [
        { cumulativePercent: 50, successThreshold: 1, errorThreshold: 0 },
        { cumulativePercent: 100, successThreshold: 1, errorThreshold: 0 },
      ],
    });
    const first = await claimOffers(database.db, { campaignId, waveNo: 1, afterVin: '', limit: 3 });
    expect(first.map((c) => c.vin)).toEqual([...vins.slice(0, 5)].sort().slice(0, 3));
    const rest = await claimOffers(database.db, { campaignId, waveNo: 1, afterVin: first.at(-1)!.vin, limit: 10 });
    expect(rest).toHaveLength(2);
    expect(await claimOffers(database.db, { campaignId, waveNo: 1, afterVin: '', limit: 10 })).toEqual([]);
    const states = await database.db
      .selectFrom('campaign_vehicles')
      .select(['wave_no', 'state', 'offer_count'])
      .where('campaign_id', '=', campaignId)
      .execute();
    expect(states.filter((s) => s.state === 'offered').every((s) => s.wave_no === 1 && s.offer_count === 1)).toBe(true);
    expect(states.filter((s) => s.state === 'pending')).toHaveLength(5);
    const events = await database.db
      .selectFrom('campaign_vehicle_events')
      .select(['from_state', 'to_state'])
      .where('campaign_id', '=', campaignId)
      .execute();
    expect(events).toHaveLength(5);
    expect(events.every((e) => e.from_state === 'pending' && e.to_state === 'offered')).toBe(true);
  });

  it("honours install windows in each vehicle's local time, including windows across midnight", async () => {
    const { campaignId, vins } = await runningCampaign(database.db, { prefix: 'WIN', count: 2 });
    const [berlin, tokyo] = vins as [string, string];
    await database.db.updateTable('vehicles').set({ time_zone: 'Europe/Berlin' }).where('vin', '=', berlin).execute();
    await database.db.updateTable('vehicles').set({ time_zone: 'Asia/Tokyo' }).where('vin', '=', tokyo).execute();
    await database.db
      .updateTable('campaigns')
      .set({
        install_policy: JSON.stringify({
          windows: [{ from: '22:00', to: '04:00' }],
          preconditions: [],
          driverConsentRequired: false,
        }),
      })
      .where('id', '=', campaignId)
      .execute();
    // 01:30 UTC is 02:30 in Berlin (inside 22-04) and 10:30 in Tokyo (outside).
    const now = new Date('2026-01-15T01:30:00Z');
    const claimed = await claimOffers(database.db, { campaignId, waveNo: 1, afterVin: '', limit: 10, now });
    expect(claimed.map((c) => c.vin)).toEqual([berlin]);
    // 14:00 UTC is 23:00 in Tokyo.
    const later = await claimOffers(database.db, {
      campaignId,
      waveNo: 1,
      afterVin: '',
      limit: 10,
      now: new Date('2026-01-15T14:00:00Z'),
    });
    expect(later.map((c) => c.vin)).toEqual([tokyo]);
  });
});
