import { sql } from 'kysely';
import type { TargetFile } from '@ota/protocol/tuf';
import type { DirectorEcuTarget } from '@ota/protocol/uptane';
import { buildDirectorTarget } from '@ota/protocol/uptane';
import { imageTargetName } from '../tuf-repo/target-name.ts';
import type { Db } from '../db/database.ts';

interface AssignmentRow {
  serial: string;
  hardware_id: string;
  sha256: string;
  length: string;
  file_name: string;
  version: string;
  release_hardware_id: string;
  base_sha256: string | null;
  delta_sha256: string | null;
  delta_length: string | null;
  base_length: string | null;
}

/**
 * What one vehicle must install for a campaign, as Director targets: for each released image of
 * the campaign, the vehicle's ECUs of a matching hardware id that do not run it yet, each with
 * the cached delta from the image it runs, or none (full image) when no delta exists for it.
 */
export async function directorTargetsFor(db: Db, campaignId: number, vin: string): Promise<Record<string, TargetFile>> {
  const rows = await sql<AssignmentRow>`
    SELECT e.serial, e.hardware_id, i.sha256, i.length, i.file_name, i.version, r.hardware_id AS release_hardware_id,
           e.image_sha256 AS base_sha256, d.sha256 AS delta_sha256, d.length AS delta_length, d.base_length
    FROM ecus e
    JOIN campaign_releases cr ON cr.campaign_id = ${campaignId}
    JOIN releases r ON r.id = cr.release_id
    JOIN release_images i ON i.release_id = r.id AND e.hardware_id = ANY(i.hardware_ids)
    LEFT JOIN delta_packages d ON d.base_sha256 = e.image_sha256 AND d.target_sha256 = i.sha256
    WHERE e.vin = ${vin} AND (e.image_sha256 IS NULL OR e.image_sha256 <> i.sha256)
    ORDER BY e.serial`.execute(db);
  const byTarget = new Map<string, { image: TargetFile; ecus: Record<string, DirectorEcuTarget> }>();
  for (const row of rows.rows) {
    const name = imageTargetName(row.release_hardware_id, row.version, row.file_name);
    const entry = byTarget.get(name) ?? {
      image: { length: Number(row.length), hashes: { sha256: row.sha256 } },
      ecus: {},
    };
    entry.ecus[row.serial] =
      row.delta_sha256 && row.base_sha256
        ? {
            hardwareId: row.hardware_id,
            delta: {
              length: Number(row.delta_length),
              sha256: row.delta_sha256,
              base: { length: Number(row.base_length), sha256: row.base_sha256 },
            },
          }
        : { hardwareId: row.hardware_id };
    byTarget.set(name, entry);
  }
  const targets: Record<string, TargetFile> = {};
  for (const [name, { image, ecus }] of byTarget) {
    targets[name] = buildDirectorTarget(image, { vin, campaignId: String(campaignId), ecus });
  }
  return targets;
}
