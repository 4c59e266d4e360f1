import { SYSTEM_ACTOR } from '../../backend/audit/service.ts';
import { BlobStore } from '../../backend/blobs/store.ts';
import type { Db } from '../../backend/db/database.ts';
import { registerVehicle } from '../../backend/fleet/service.ts';
import { attachImage, createRelease, transitionRelease } from '../../backend/releases/service.ts';
import type { SeededUser } from './seed.ts';

// What the release, approval and vulnerability browser tests need beyond seed.ts's small world.

export const BRAKE_HW = 'BRAKE-HW-1';

/** A vehicle of the seeded model whose brake controller is rated ASIL D. */
export async function seedAsilVehicle(db: Db, vin: string): Promise<void> {
  await registerVehicle(db, SYSTEM_ACTOR, {
    vin,
    modelId: 'sedan-x',
    modelYear: 2023,
    region: 'EU',
    ownerRef: null,
    tags: [],
    gatewayPublicKey: null,
    timeZone: 'Europe/Berlin',
    ecus: [
      {
        serial: 'BRK-1',
        name: 'Brake controller',
        hardwareId: BRAKE_HW,
        installedVersion: '1.0.0',
        imageSha256: null,
        asil: 'D',
        exposure: 'internal_bus',
      },
    ],
  });
}

/** A release taken through the supplier side to the OEM's internal test. */
export async function seedReleaseInInternalTest(
  db: Db,
  blobDir: string,
  engineer: SeededUser,
  hardwareId: string,
  version: string,
): Promise<number> {
  const rel = await createRelease(db, engineer.actor, { hardwareId, version, supplier: 'Acme', notes: '', fixes: [] });
  await attachImage(db, new BlobStore(blobDir), engineer.actor, rel.id, {
    fileName: `${version}.bin`,
    bytes: new Uint8Array(64).fill(3),
  });
  const evidence = { reportRef: 'TR-1', logSha256: 'c'.repeat(64) };
  for (const to of ['in_test', 'approved', 'released', 'in_internal_test'] as const) {
    await transitionRelease(db, engineer.actor, rel.id, { to, reason: `to ${to}`, evidence });
  }
  return rel.id;
}
