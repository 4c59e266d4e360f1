import { sql } from 'kysely';
import type { RawBuilder, SqlBool, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { TargetFilter } from './types.ts';
import { addTargetVehicles, removeTargetVehicles } from './vehicle-moves.ts';

const list = (values: readonly string[] | undefined): string[] | null =>
  values && values.length > 0 ? [...values] : null;

/** The releases a target's ECUs are compared with: those of a campaign, or a draft's choice. */
export type TargetReleases = { readonly campaignId: number } | { readonly releaseIds: readonly number[] };

/** Rows `(id, hardware_id, version)` of the releases, to join as `r`. */
function releasesOf(releases: TargetReleases): RawBuilder<unknown> {
  return 'campaignId' in releases
    ? sql`SELECT r.id, r.hardware_id, r.version FROM campaign_releases cr JOIN releases r ON r.id = cr.release_id
          WHERE cr.campaign_id = ${releases.campaignId}`
    : sql`SELECT r.id, r.hardware_id, r.version FROM releases r WHERE r.id = ANY(${[...releases.releaseIds]}::int[])`;
}

/** ECU `e` needs release `r` (same hardware, joined by the caller): it runs another version and matches the filter. */
function ecuNeedsRelease(filter: TargetFilter): RawBuilder<SqlBool> {
  const hardwareIds = list(filter.hardwareIds);
  const versions = list(filter.currentVersions);
  return sql<SqlBool>`e.installed_version <> r.version
    AND (${hardwareIds}::text[] IS NULL OR e.hardware_id = ANY(${hardwareIds}::text[]))
    AND (${versions}::text[] IS NULL OR e.installed_version = ANY(${versions}::text[]))`;
}

/**
 * The condition that makes vehicle `v` (joined with its model as `m`) a target of `filter`: not
 * isolated or end-of-life, its model still supported, matching every given criterion, and with at
 * least one ECU that needs one of the releases. The one definition of targeting, used to resolve a
 * campaign and to count a draft's vehicles: `.where(isTargetVehicle(filter, releases))`.
 */
export function isTargetVehicle(filter: TargetFilter, releases: TargetReleases): RawBuilder<SqlBool> {
  const models = list(filter.modelIds);
  const regions = list(filter.regions);
  const tags = list(filter.tags);
  const vins = list(filter.vins);
  const yearFrom = filter.modelYears?.from ?? null;
  const yearTo = filter.modelYears?.to ?? null;
  return sql<SqlBool>`v.lifecycle NOT IN ('isolated', 'end_of_life')
    AND (m.end_of_support IS NULL OR m.end_of_support >= current_date)
    AND (${models}::text[] IS NULL OR v.model_id = ANY(${models}::text[]))
    AND (${regions}::text[] IS NULL OR v.region = ANY(${regions}::text[]))
    AND (${tags}::text[] IS NULL OR v.tags && ${tags}::text[])
    AND (${vins}::text[] IS NULL OR v.vin = ANY(${vins}::text[]))
    AND (${yearFrom}::int IS NULL OR v.model_year >= ${yearFrom}::int)
    AND (${yearTo}::int IS NULL OR v.model_year <= ${yearTo}::int)
    AND EXISTS (
      SELECT 1 FROM ecus e JOIN (${releasesOf(releases)}) r ON r.hardware_id = e.hardware_id
      WHERE e.vin = v.vin AND ${ecuNeedsRelease(filter)})`;
}

/**
 * Resolves the target filter into campaign_vehicles and campaign_ecus entirely in SQL
 * (INSERT ... SELECT; no vehicle is loaded into the process), and assigns waves in the same
 * statement: vehicles are ordered by a hash of campaign id and VIN (deterministic, but not
 * correlated with VIN order or region), and the n-th of N goes to the first wave whose cumulative
 * percentage covers it. Isolated and end-of-life vehicles, models past end of support, and vehicles
 * with no ECU needing one of the campaign's releases are not targeted.
 */
export async function resolveTargets(
  trx: Transaction<Database>,
  campaignId: number,
  filter: TargetFilter,
): Promise<number> {
  const releases = { campaignId };
  // Sorting and hashing the whole fleet in memory, not in temporary files (this transaction only).
  await sql`SET LOCAL work_mem = '256MB'`.execute(trx);
  const targeted = await addTargetVehicles(
    trx,
    campaignId,
    sql`WITH matched AS (
      SELECT v.vin FROM vehicles v
      JOIN vehicle_models m ON m.id = v.model_id
      WHERE ${isTargetVehicle(filter, releases)}
    ), ranked AS (
      SELECT vin,
             row_number() OVER (ORDER BY md5(${String(campaignId)} || ':' || vin), vin) AS rn,
             count(*) OVER () AS n
      FROM matched
    ), waves AS MATERIALIZED (
      -- Each wave's share of the ranks: (previous wave's cumulative bound, this wave's].
      SELECT wave_no, coalesce(lag(cumulative_percent) OVER (ORDER BY wave_no), 0) AS lo, cumulative_percent AS hi
      FROM campaign_waves WHERE campaign_id = ${campaignId}
    )
    SELECT r.vin, w.wave_no
    FROM ranked r JOIN waves w
      ON r.rn > ceil(w.lo * r.n / 100.0) AND r.rn <= ceil(w.hi * r.n / 100.0)
    -- Inserted in key order: the primary key's pages are filled one after the other.
    ORDER BY r.vin`,
  );

  await sql`
    INSERT INTO campaign_ecus (campaign_id, vin, ecu_serial, hardware_id, release_id, from_version, to_version)
    SELECT ${campaignId}, e.vin, e.serial, e.hardware_id, r.id, e.installed_version, r.version
    FROM campaign_vehicles cv
    JOIN ecus e ON e.vin = cv.vin
    JOIN (${releasesOf(releases)}) r ON r.hardware_id = e.hardware_id
    WHERE cv.campaign_id = ${campaignId} AND ${ecuNeedsRelease(filter)}`.execute(trx);

  return targeted;
}

/** Undoes a resolution (a rejected campaign goes back to draft and is resolved again on resubmission). */
export async function clearTargets(trx: Transaction<Database>, campaignId: number): Promise<void> {
  await trx.deleteFrom('campaign_ecus').where('campaign_id', '=', campaignId).execute();
  await removeTargetVehicles(trx, campaignId);
}
