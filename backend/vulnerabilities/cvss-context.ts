import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Asil, EcuExposure } from '../fleet/types.ts';
import { vectorMetrics, withDefaultMetrics } from './cvss.ts';
import type { CvssAssessment } from './cvss.ts';

// The CVSS environmental metric group filled per ECU context from what the fleet records about
// each affected ECU: its ASIL rating (safety relevance) and its exposure (connected, or reachable
// only over the vehicle's internal bus). The mapping (README "Contextual CVSS"):
//   ASIL A-D          -> IR:H (integrity requirement high); AR:H for ASIL C/D, AR:M for A/B
//   internal_bus      -> MAV:A when the base vector says AV:N (only the in-vehicle network reaches it)
//   v4.0, ASIL A-D    -> MSI:S / MSA:S when VI:H / VA:H (a lost ECU can hurt people: the Safety value)
// QM or unknown ASIL, connected or unknown exposure add nothing. Metrics the assessor wrote into
// the vector win over these defaults.

export interface EcuContext {
  asil: Asil | null;
  exposure: EcuExposure | null;
}

/** The environmental metrics an ECU context implies for a vector (v3.1 and v4.0 share the names used here). */
export function environmentalMetricsFor(vector: string, ctx: EcuContext): Record<string, string> {
  const base = vectorMetrics(vector);
  const out: Record<string, string> = {};
  const safety = ctx.asil !== null && ctx.asil !== 'QM';
  if (safety) {
    out.IR = 'H';
    out.AR = ctx.asil === 'C' || ctx.asil === 'D' ? 'H' : 'M';
  }
  if (ctx.exposure === 'internal_bus' && base.get('AV') === 'N') out.MAV = 'A';
  if (vector.startsWith('CVSS:4.0/') && safety) {
    if (base.get('VI') === 'H') out.MSI = 'S';
    if (base.get('VA') === 'H') out.MSA = 'S';
  }
  return out;
}

export interface CvssContext extends EcuContext {
  modelId: string;
  hardwareId: string;
  /** Vehicles (not end of life) with an affected ECU in this context. */
  vehicles: number;
  cvss: CvssAssessment;
}

/**
 * The affected ECUs grouped by vehicle model, hardware id, ASIL and exposure, each with the
 * vector's score in that context; the worst first.
 */
export async function cvssContexts(db: Db, vulnerabilityId: number, vector: string): Promise<CvssContext[]> {
  const { rows } = await sql<{
    model_id: string;
    hardware_id: string;
    asil: Asil | null;
    exposure: EcuExposure | null;
    vehicles: number;
  }>`
    SELECT v.model_id, e.hardware_id, e.asil, e.exposure, count(DISTINCT e.vin)::int AS vehicles
    FROM vulnerability_affected a
    JOIN ecus e ON e.hardware_id = a.hardware_id AND e.installed_version = ANY(a.versions)
    JOIN vehicles v ON v.vin = e.vin AND v.lifecycle <> 'end_of_life'
    WHERE a.vulnerability_id = ${vulnerabilityId}
    GROUP BY v.model_id, e.hardware_id, e.asil, e.exposure
    ORDER BY v.model_id, e.hardware_id, e.asil NULLS FIRST, e.exposure NULLS FIRST`.execute(db);
  const contexts = rows.map((r) => {
    const ctx = { asil: r.asil, exposure: r.exposure };
    return {
      modelId: r.model_id,
      hardwareId: r.hardware_id,
      ...ctx,
      vehicles: r.vehicles,
      cvss: withDefaultMetrics(vector, environmentalMetricsFor(vector, ctx)),
    };
  });
  // Stable: equal scores keep the SQL order.
  return contexts.sort((a, b) => b.cvss.score - a.cvss.score);
}
