import { sql } from 'kysely';
import type { Actor } from '../../../backend/audit/service.ts';
import type { BlobStore } from '../../../backend/blobs/store.ts';
import type { Db } from '../../../backend/db/database.ts';
import {
  attachImage,
  createRelease,
  decideAuthorization,
  transitionRelease,
} from '../../../backend/releases/service.ts';

/** A valid VIN for index n: prefix + zero-padded number (no I, O, Q). */
export function vinFor(n: number, prefix = 'WVWZZZ1K'): string {
  return `${prefix}${String(n).padStart(17 - prefix.length, '0')}`;
}

export interface FleetSpec {
  count: number;
  modelId: string;
  modelYear?: number;
  region?: string;
  hardwareId?: string;
  version?: string;
  tags?: string[];
  asil?: string | null;
  exposure?: 'connected' | 'internal_bus' | null;
  prefix?: string;
}

/** Inserts `count` vehicles with one ECU each, in SQL (fast enough for thousands). */
export async function seedFleet(db: Db, spec: FleetSpec): Promise<void> {
  const prefix = spec.prefix ?? 'WVWZZZ1K';
  const width = 17 - prefix.length;
  await sql`INSERT INTO vehicle_models (id, name) VALUES (${spec.modelId}, ${spec.modelId}) ON CONFLICT DO NOTHING`.execute(
    db,
  );
  await sql`
    INSERT INTO vehicles (vin, model_id, model_year, region, owner_ref, tags)
    SELECT ${prefix} || lpad(g::text, ${width}, '0'), ${spec.modelId}, ${spec.modelYear ?? 2024}, ${spec.region ?? 'EU'},
           'owner-' || g, ${spec.tags ?? []}::text[]
    FROM generate_series(1, ${spec.count}) g`.execute(db);
  await sql`
    INSERT INTO ecus (vin, serial, name, hardware_id, installed_version, asil, exposure)
    SELECT ${prefix} || lpad(g::text, ${width}, '0'), 'S' || g, 'ecu', ${spec.hardwareId ?? 'HW-BMS-1'},
           ${spec.version ?? '1.0.0'}, ${spec.asil ?? null}, ${spec.exposure ?? null}
    FROM generate_series(1, ${spec.count}) g`.execute(db);
}

/** A release taken through the whole lifecycle to `authorized`, via the services. */
export async function authorizedRelease(
  db: Db,
  blobs: BlobStore,
  engineer: Actor,
  approver: Actor,
  hardwareId: string,
  version: string,
): Promise<number> {
  const evidence = { reportRef: `TR-${hardwareId}-${version}`, logSha256: 'c'.repeat(64) };
  const release = await createRelease(db, engineer, { hardwareId, version, supplier: 'Acme', notes: '', fixes: [] });
  await attachImage(db, blobs, engineer, release.id, {
    fileName: 'image.bin',
    bytes: new TextEncoder().encode(`${hardwareId} ${version}`),
  });
  for (const to of ['in_test', 'approved', 'released', 'in_internal_test'] as const) {
    await transitionRelease(db, engineer, release.id, { to, reason: 'fixture', evidence });
  }
  await decideAuthorization(db, approver, release.id, {
    decision: 'authorized',
    reason: 'fixture',
    evidence,
    safetyImpactAnalysis: 'fixture SIA',
  });
  return release.id;
}
