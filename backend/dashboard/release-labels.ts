import type { Db } from '../db/database.ts';

/**
 * Releases named the way engineers name them, by the ECU and the version ("bcm 1.7.1"): the names
 * the fleet's ECUs of each hardware id carry (usually one), the hardware id where no ECU has it yet.
 */
export async function releaseLabels(
  db: Db,
  releases: readonly { id: number; hardwareId: string; version: string }[],
): Promise<Map<number, string>> {
  const hardwareIds = [...new Set(releases.map((r) => r.hardwareId))];
  const rows = hardwareIds.length
    ? await db
        .selectFrom('ecus')
        .select(['hardware_id', 'name'])
        .distinct()
        .where('hardware_id', 'in', hardwareIds)
        .orderBy('hardware_id')
        .orderBy('name')
        .execute()
    : [];
  const names = new Map<string, string[]>();
  for (const r of rows) names.set(r.hardware_id, [...(names.get(r.hardware_id) ?? []), r.name]);
  return new Map(releases.map((r) => [r.id, `${names.get(r.hardwareId)?.join(' / ') ?? r.hardwareId} ${r.version}`]));
}
