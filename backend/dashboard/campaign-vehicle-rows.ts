import { sql } from 'kysely';
import { listCampaignVehicles } from '../campaigns/service.ts';
import type { Db } from '../db/database.ts';
import type { CampaignEcusTable } from '../campaigns/tables.ts';
import type { VehicleCampaignState } from '../campaigns/types.ts';
import type { Page, PageQuery } from '../http/pagination.ts';

/** One ECU of a vehicle in a campaign: its plan and, once reported, its outcome. */
export interface CampaignEcuRow {
  serial: string;
  name: string;
  hardwareId: string;
  fromVersion: string;
  toVersion: string;
  result: CampaignEcusTable['result'];
  nrc: string | null;
  error: string | null;
  bytesOnBus: number | null;
  durationMs: number | null;
}

export interface CampaignVehicleRow {
  vin: string;
  waveNo: number;
  state: VehicleCampaignState;
  stateChangedAt: string;
  error: string | null;
  ecus: CampaignEcuRow[];
}

/**
 * One page of a campaign's vehicles (the service's list: ordered by VIN, filtered by state) with
 * each vehicle's ECU plans and outcomes, two queries per page.
 */
export async function campaignVehicleRows(
  db: Db,
  campaignId: number,
  filter: { state?: VehicleCampaignState | undefined },
  page: PageQuery,
): Promise<Page<CampaignVehicleRow>> {
  const vehicles = await listCampaignVehicles(db, campaignId, filter, page);
  const vins = vehicles.items.map((v) => v.vin);
  const ecus = vins.length
    ? await db
        .selectFrom('campaign_ecus as ce')
        .leftJoin('ecus as e', (j) => j.onRef('e.vin', '=', 'ce.vin').onRef('e.serial', '=', 'ce.ecu_serial'))
        .select([
          'ce.vin',
          'ce.ecu_serial as serial',
          sql<string>`coalesce(e.name, ce.ecu_serial)`.as('name'),
          'ce.hardware_id as hardwareId',
          'ce.from_version as fromVersion',
          'ce.to_version as toVersion',
          'ce.result',
          'ce.nrc',
          'ce.error',
          sql<number | null>`ce.bytes_on_bus::float8`.as('bytesOnBus'),
          'ce.duration_ms as durationMs',
        ])
        .where('ce.campaign_id', '=', campaignId)
        .where('ce.vin', 'in', vins)
        .orderBy('ce.vin')
        .orderBy('ce.ecu_serial')
        .execute()
    : [];
  return {
    nextCursor: vehicles.nextCursor,
    items: vehicles.items.map((v) => ({
      vin: v.vin,
      waveNo: v.waveNo,
      state: v.state as VehicleCampaignState,
      stateChangedAt: v.stateChangedAt,
      error: v.error,
      ecus: ecus.filter((e) => e.vin === v.vin).map(({ vin: _vin, ...ecu }) => ecu),
    })),
  };
}
