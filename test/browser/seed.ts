import { SYSTEM_ACTOR } from '../../backend/audit/service.ts';
import type { Actor } from '../../backend/audit/service.ts';
import { BlobStore } from '../../backend/blobs/store.ts';
import type { Db } from '../../backend/db/database.ts';
import type { Role } from '../../backend/users/types.ts';
import { createCampaign, DEFAULT_WAVES, transitionCampaign } from '../../backend/campaigns/service.ts';
import type { Campaign } from '../../backend/campaigns/service.ts';
import type { SecurityEvent } from '@ota/protocol';
import { createVehicleModel, registerVehicle } from '../../backend/fleet/service.ts';
import { attachImage, createRelease, decideAuthorization, transitionRelease } from '../../backend/releases/service.ts';
import { createUser, issueToken } from '../../backend/users/service.ts';
import {
  assessVulnerability,
  changeVulnerabilityPhase,
  recordRemediation,
  reportVulnerability,
} from '../../backend/vulnerabilities/service.ts';

// A small world for the browser tests, built only through the domain's service functions.

export interface SeededUser {
  id: number;
  name: string;
  token: string;
  actor: Actor;
}

export async function seedUser(db: Db, name: string, roles: Role[]): Promise<SeededUser> {
  const user = await createUser(db, SYSTEM_ACTOR, { name, roles });
  const { token } = await issueToken(db, SYSTEM_ACTOR, user.id, 'browser test');
  return { id: user.id, name, token, actor: { userId: user.id, name } };
}

export const HARDWARE_ID = 'BCM-HW-7';
export const OLD_VERSION = '4.1.0';

/** VINs are 17 characters without I, O or Q. */
export function vinOf(i: number): string {
  return `WVWDASH0${String(i).padStart(9, '0')}`;
}

export async function seedFleet(db: Db, vehicles: number): Promise<string[]> {
  await createVehicleModel(db, SYSTEM_ACTOR, { id: 'sedan-x', name: 'Sedan X', endOfSupport: null });
  const vins: string[] = [];
  for (let i = 1; i <= vehicles; i += 1) {
    const vin = vinOf(i);
    vins.push(vin);
    await registerVehicle(db, SYSTEM_ACTOR, {
      vin,
      modelId: 'sedan-x',
      modelYear: 2022 + (i % 2),
      region: i % 3 === 0 ? 'US' : 'EU',
      ownerRef: null,
      tags: [],
      gatewayPublicKey: null,
      timeZone: 'Europe/Berlin',
      ecus: [
        {
          serial: `BCM-${i}`,
          name: 'Body controller',
          hardwareId: HARDWARE_ID,
          installedVersion: OLD_VERSION,
          imageSha256: null,
          asil: 'QM',
          exposure: 'internal_bus',
        },
        {
          serial: `TCU-${i}`,
          name: 'Telematics unit',
          hardwareId: 'TCU-HW-2',
          installedVersion: '2.0.0',
          imageSha256: null,
          asil: null,
          exposure: 'connected',
        },
      ],
    });
  }
  return vins;
}

/** A vulnerability in the body controller, assessed and being addressed, and the release that fixes it. */
export async function seedFixedVulnerability(
  db: Db,
  blobDir: string,
  security: SeededUser,
  release: SeededUser,
  approver: SeededUser,
): Promise<{ vulnerabilityId: number; releaseId: number }> {
  const vuln = await reportVulnerability(db, security.actor, {
    title: 'BCM diagnostic session bypass',
    description: 'Security access can be skipped on the body controller.',
    reporter: 'Red team',
    reporterKind: 'internal',
    reporterContact: null,
    attackVectorNote: null,
    impactNote: null,
    intrusionLevel: null,
    affected: [{ hardwareId: HARDWARE_ID, versions: [OLD_VERSION] }],
  });
  const move = (to: 'reviewing' | 'assessing' | 'addressing') =>
    changeVulnerabilityPhase(db, security.actor, vuln.id, { to, reason: 'triaged' });
  await move('reviewing');
  await move('assessing');
  await assessVulnerability(db, security.actor, vuln.id, {
    cvssVector: 'CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    exploitAvailable: false,
    workaroundExists: false,
    safetyRelevant: false,
    rootCause: 'missing state check',
  });
  await recordRemediation(db, security.actor, vuln.id, {
    kind: 'software_patch',
    note: 'BCM 4.2.0',
    embargoUntil: null,
  });
  await move('addressing');

  const rel = await createRelease(db, release.actor, {
    hardwareId: HARDWARE_ID,
    version: '4.2.0',
    supplier: 'Bodyworks GmbH',
    notes: 'fixes the session bypass',
    fixes: [vuln.id],
  });
  await attachImage(db, new BlobStore(blobDir), release.actor, rel.id, {
    fileName: 'bcm-4.2.0.bin',
    bytes: new Uint8Array(4096).fill(7),
  });
  const evidence = { reportRef: 'TR-42', logSha256: 'a'.repeat(64) };
  await transitionRelease(db, release.actor, rel.id, { to: 'in_test', reason: 'supplier test' });
  await transitionRelease(db, release.actor, rel.id, { to: 'approved', reason: 'passed', evidence });
  await transitionRelease(db, release.actor, rel.id, { to: 'released', reason: 'released' });
  await transitionRelease(db, release.actor, rel.id, { to: 'in_internal_test', reason: 'OEM test' });
  await decideAuthorization(db, approver.actor, rel.id, {
    decision: 'authorized',
    reason: 'passed OEM test',
    evidence,
  });
  return { vulnerabilityId: vuln.id, releaseId: rel.id };
}

/** A draft campaign of `releaseId` to the whole seeded fleet. */
export async function seedDraftCampaign(
  db: Db,
  manager: SeededUser,
  releaseId: number,
  name = 'BCM 4.2.0 rollout',
): Promise<Campaign> {
  return createCampaign(db, manager.actor, {
    name,
    kind: 'bug_fix',
    releaseIds: [releaseId],
    vulnerabilityIds: [],
    targetFilter: { hardwareIds: [HARDWARE_ID] },
    installPolicy: { windows: [], preconditions: [], driverConsentRequired: false },
    waves: DEFAULT_WAVES,
    pacingPerMinute: 60,
  });
}

/** A campaign of `releaseId` to the whole seeded fleet, submitted for approval (its targets resolved). */
export async function seedSubmittedCampaign(
  db: Db,
  manager: SeededUser,
  releaseId: number,
  name = 'BCM 4.2.0 rollout',
): Promise<Campaign> {
  const draft = await seedDraftCampaign(db, manager, releaseId, name);
  return transitionCampaign(db, manager.actor, draft.id, { action: 'submit', reason: 'ready for approval' });
}

/** A campaign manager and an approver, a fleet, and the authorised body controller fix (with its vulnerability). */
export async function seedCampaignWorld(
  db: Db,
  blobDir: string,
  vehicles: number,
): Promise<{ manager: SeededUser; approver: SeededUser; releaseId: number; vulnerabilityId: number }> {
  const manager = await seedUser(db, 'maria', ['campaign_manager']);
  const approver = await seedUser(db, 'anton', ['approver']);
  const security = await seedUser(db, 'sven', ['security_engineer']);
  const releaser = await seedUser(db, 'rolf', ['release_engineer']);
  await seedFleet(db, vehicles);
  return { manager, approver, ...(await seedFixedVulnerability(db, blobDir, security, releaser, approver)) };
}

/** A gateway's report that the director's targets metadata had no valid signature, at `at`. */
export function badSignatureEvent(vin: string, at: string): SecurityEvent {
  return {
    vin,
    counter: 0,
    at,
    severity: 'high',
    type: 'metadata_verification_failure',
    attack: 'bad_signature',
    code: 'bad_signature',
    details: 'director targets: bad_signature: no valid signature',
  };
}

/** Security events stored as the ingest stores them (their signatures were checked there); their ids. */
export async function seedSecurityEvents(db: Db, events: readonly SecurityEvent[]): Promise<string[]> {
  const rows = events.map((e) => ({
    id: `${e.vin}-${e.counter}`,
    vin: e.vin,
    counter: e.counter,
    type: e.type,
    severity: e.severity,
    occurred_at: e.at,
    details: e.details,
    campaign_id: null,
    event: JSON.stringify(e),
    signatures: '[]',
  }));
  await db.insertInto('security_events').values(rows).execute();
  return rows.map((r) => r.id);
}
