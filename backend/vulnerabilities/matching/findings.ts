import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { VexStatus } from '../types.ts';

export interface Finding {
  vulnerabilityId: number;
  advisory: { source: string; id: string; aliases: string[] };
  release: { id: number; hardwareId: string; version: string };
  component: { name: string; version: string; purl: string | null; cpe: string | null };
  /** The VEX status for this release and vulnerability, null while none is recorded. */
  vex: VexStatus | null;
  /** ECUs of vehicles in service that run this release (hardware id and installed version). */
  ecus: number;
  foundAt: string;
}

/** Findings, newest first; one vulnerability's when given. */
export async function listFindings(db: Db, filter: { vulnerabilityId?: number; limit?: number }): Promise<Finding[]> {
  const byVuln = filter.vulnerabilityId === undefined ? sql`true` : sql`f.vulnerability_id = ${filter.vulnerabilityId}`;
  const rows = await sql<{
    vulnerability_id: number;
    source: string;
    external_id: string;
    aliases: string[];
    release_id: number;
    hardware_id: string;
    release_version: string;
    name: string;
    version: string;
    purl: string | null;
    cpe: string | null;
    vex: VexStatus | null;
    ecus: number;
    found_at: Date;
  }>`
    SELECT f.vulnerability_id, a.source, a.external_id, a.aliases, r.id AS release_id, r.hardware_id,
           r.version AS release_version, c.name, c.version, c.purl, c.cpe, x.status AS vex,
           (SELECT count(*)::int FROM ecus e JOIN vehicles v ON v.vin = e.vin AND v.lifecycle <> 'end_of_life'
             WHERE e.hardware_id = r.hardware_id AND e.installed_version = r.version) AS ecus,
           f.found_at
    FROM findings f
    JOIN advisories a ON a.id = f.advisory_id
    JOIN releases r ON r.id = f.release_id
    JOIN sbom_components c ON c.sbom_id = f.sbom_id AND c.ordinal = f.ordinal
    LEFT JOIN vex_statements x ON x.release_id = f.release_id AND x.vulnerability_id = f.vulnerability_id
    WHERE ${byVuln}
    ORDER BY f.found_at DESC, f.vulnerability_id, r.id, a.external_id, c.name
    LIMIT ${filter.limit ?? 1000}`.execute(db);
  return rows.rows.map((r) => ({
    vulnerabilityId: r.vulnerability_id,
    advisory: { source: r.source, id: r.external_id, aliases: r.aliases },
    release: { id: r.release_id, hardwareId: r.hardware_id, version: r.release_version },
    component: { name: r.name, version: r.version, purl: r.purl, cpe: r.cpe },
    vex: r.vex,
    ecus: r.ecus,
    foundAt: r.found_at.toISOString(),
  }));
}
