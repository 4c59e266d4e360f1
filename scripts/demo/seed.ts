// Seeds the demo world once, through the backend's own service functions (so every step is role-checked and
// audited like an API call): a user per role with an API token, a vulnerability reported and assessed, an
// authorised release for bcm and for adas (new versions, their images signed later by the backend with the
// TEST code-signing key), and the fleet, each vehicle with its VIN, ECU serials and gateway key. Each step
// is recorded in demo.json when done, so a restart skips it; vehicles are registered when missing, so
// `--vehicles` may grow the fleet later.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SYSTEM_ACTOR, type Actor } from '../../backend/audit/service.ts';
import { BlobStore } from '../../backend/blobs/store.ts';
import type { Db } from '../../backend/db/database.ts';
import { createVehicleModel, registerVehicle } from '../../backend/fleet/service.ts';
import { attachImage, createRelease, decideAuthorization, transitionRelease } from '../../backend/releases/service.ts';
import { createUser, issueToken } from '../../backend/users/service.ts';
import { storeSbom } from '../../backend/vulnerabilities/sbom/service.ts';
import { exampleSbom } from '../../ecu-sim/vehicles/sboms/example-sboms.ts';
import {
  assessVulnerability,
  changeVulnerabilityPhase,
  recordRemediation,
  reportVulnerability,
} from '../../backend/vulnerabilities/service.ts';
import { ed25519SignerFromSeed, sha256Hex, type Signer, gatewayKeyFromHex } from '@ota/protocol';
import { DEMO_MODEL, demoVehicle, UPDATED_ECUS, type DemoTemplate } from './fleet-definitions.ts';
import { bumpPatch, releaseImage, runningImage } from './images.ts';
import type { DemoLayout } from './layout.ts';
import {
  readSeedRecord,
  writeSeedRecord,
  type SeedRecord,
  type SeededRelease,
  type SeededUser,
} from './seed-record.ts';

export const DEMO_USERS: readonly Pick<SeededUser, 'name' | 'role'>[] = [
  { name: 'admin', role: 'admin' },
  { name: 'maria', role: 'campaign_manager' },
  { name: 'anton', role: 'approver' },
  { name: 'sofia', role: 'security_engineer' },
  { name: 'rafael', role: 'release_engineer' },
  { name: 'aude', role: 'auditor' },
];

export interface SeededDemo {
  readonly users: readonly SeededUser[];
  readonly vulnerabilityId: number;
  readonly releases: readonly SeededRelease[];
  /** Vehicles registered by this start (0 on a restart with the same --vehicles). */
  readonly newVehicles: number;
  readonly freshSeed: boolean;
}

export interface SeedInput {
  db: Db;
  blobDir: string;
  layout: DemoLayout;
  template: DemoTemplate;
  vehicles: number;
}

export async function seedDemo(input: SeedInput): Promise<SeededDemo> {
  const { db, layout, template } = input;
  const existing = readSeedRecord(layout.seedRecord);
  if (existing && existing.template !== template.name) {
    throw new Error(
      `${layout.root} holds a fleet made from the "${existing.template}" vehicle; start it the same way or use --reset`,
    );
  }
  if (!existing && (await db.selectFrom('users').select('id').limit(1).executeTakeFirst())) {
    throw new Error(`${layout.root} holds a database the demo did not finish seeding; start again with --reset`);
  }
  const record: SeedRecord = existing ?? { template: template.name };
  const save = () => writeSeedRecord(layout.seedRecord, record);
  save();

  const users = record.users ?? (record.users = await seedUsers(db));
  save();
  const actorOf = (role: SeededUser['role']): Actor => {
    const u = users.find((x) => x.role === role);
    if (!u) throw new Error(`${layout.seedRecord} has no ${role}`);
    return { userId: u.id, name: u.name };
  };

  if (record.vulnerabilityId === undefined || record.releases === undefined) {
    const fix = await seedVulnerabilityAndReleases(db, input.blobDir, template, {
      security: actorOf('security_engineer'),
      release: actorOf('release_engineer'),
      approver: actorOf('approver'),
    });
    record.vulnerabilityId = fix.vulnerabilityId;
    record.releases = fix.releases;
    save();
  }

  await archiveFactoryImages(input.blobDir, template);
  const newVehicles = await registerFleet(db, layout, template, input.vehicles, actorOf('admin'));
  return {
    users,
    vulnerabilityId: record.vulnerabilityId,
    releases: record.releases,
    newVehicles,
    freshSeed: !existing,
  };
}

async function seedUsers(db: Db): Promise<SeededUser[]> {
  const out: SeededUser[] = [];
  for (const u of DEMO_USERS) {
    const user = await createUser(db, SYSTEM_ACTOR, { name: u.name, roles: [u.role] });
    const { token } = await issueToken(db, SYSTEM_ACTOR, user.id, 'demo');
    out.push({ id: user.id, name: u.name, role: u.role, token });
  }
  return out;
}

async function seedVulnerabilityAndReleases(
  db: Db,
  blobDir: string,
  template: DemoTemplate,
  who: { security: Actor; release: Actor; approver: Actor },
): Promise<{ vulnerabilityId: number; releases: SeededRelease[] }> {
  const ecus = UPDATED_ECUS.map((name) => template.definition.ecus.find((e) => e.name === name)!);
  const vuln = await reportVulnerability(db, who.security, {
    title: 'Body and ADAS controllers: diagnostic session bypass',
    description:
      'A crafted sequence of diagnostic requests reaches the programming session without SecurityAccess on the body controller and the ADAS controller.',
    reporter: 'Demo Red Team',
    reporterKind: 'researcher',
    reporterContact: null,
    attackVectorNote: 'adjacent: the OBD port or a compromised ECU on the same CAN bus',
    impactNote: 'unauthorised reprogramming',
    intrusionLevel: null,
    affected: ecus.map((e) => ({ hardwareId: e.identification.hardwareId, versions: [e.simulation.softwareVersion] })),
  });
  const move = (to: 'reviewing' | 'assessing' | 'addressing', reason: string) =>
    changeVulnerabilityPhase(db, who.security, vuln.id, { to, reason });
  await move('reviewing', 'triage');
  await move('assessing', 'reproduced on the bench');
  await assessVulnerability(db, who.security, vuln.id, {
    cvssVector: 'CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    exploitAvailable: false,
    workaroundExists: false,
    safetyRelevant: true,
    rootCause: 'missing session state check in the bootloader',
  });
  await recordRemediation(db, who.security, vuln.id, {
    kind: 'software_patch',
    note: ecus.map((e) => `${e.name} ${bumpPatch(e.simulation.softwareVersion)}`).join(', '),
    embargoUntil: null,
  });
  await move('addressing', 'fixed releases in test');

  const blobs = new BlobStore(blobDir);
  const evidence = { reportRef: 'DEMO-TR-1', logSha256: sha256Hex(Buffer.from('demo test log')) };
  const releases: SeededRelease[] = [];
  for (const ecu of ecus) {
    const version = bumpPatch(ecu.simulation.softwareVersion);
    const rel = await createRelease(db, who.release, {
      hardwareId: ecu.identification.hardwareId,
      version,
      supplier: ecu.identification.supplier,
      notes: 'fixes the diagnostic session bypass',
      fixes: [vuln.id],
    });
    const withImage = await attachImage(db, blobs, who.release, rel.id, {
      fileName: `${ecu.name}-${version}.bin`,
      bytes: releaseImage(ecu, version),
    });
    // The image's SBOM (ecu-sim/vehicles/sboms/), so advisories can be matched against the demo's releases.
    const image = withImage.images[0];
    if (image) await storeSbom(db, who.release, rel.id, image.sha256, exampleSbom(ecu.identification.hardwareId));
    const step = (to: 'in_test' | 'approved' | 'released' | 'in_internal_test', reason: string) =>
      transitionRelease(db, who.release, rel.id, { to, reason, ...(to === 'approved' ? { evidence } : {}) });
    await step('in_test', 'supplier test');
    await step('approved', 'supplier test passed');
    await step('released', 'delivered to the OEM');
    await step('in_internal_test', 'OEM integration test');
    await decideAuthorization(db, who.approver, rel.id, {
      decision: 'authorized',
      reason: 'OEM integration test passed',
      evidence,
      safetyImpactAnalysis: 'DEMO-SIA-1: the fix changes no safety function',
    });
    releases.push({
      ecu: ecu.name,
      hardwareId: ecu.identification.hardwareId,
      fromVersion: ecu.simulation.softwareVersion,
      version,
      releaseId: rel.id,
    });
  }
  return { vulnerabilityId: vuln.id, releases };
}

/**
 * The images the fleet left the factory with, in the backend's blob store as the OEM's archive would hold
 * them: the bases the backend builds delta packages from (content-addressed, so a restart adds nothing).
 */
async function archiveFactoryImages(blobDir: string, template: DemoTemplate): Promise<void> {
  const blobs = new BlobStore(blobDir);
  for (const ecu of template.definition.ecus) await blobs.put(runningImage(ecu));
}

/** The vehicle's gateway key (created once, before the vehicle is registered with its public half). */
export function gatewayKey(file: string): Signer {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  return ed25519SignerFromSeed(Buffer.from(readFileSync(file, 'utf8').trim(), 'hex'));
}

async function registerFleet(
  db: Db,
  layout: DemoLayout,
  template: DemoTemplate,
  count: number,
  admin: Actor,
): Promise<number> {
  const model = await db.selectFrom('vehicle_models').select('id').where('id', '=', DEMO_MODEL.id).executeTakeFirst();
  if (!model) await createVehicleModel(db, admin, { ...DEMO_MODEL, endOfSupport: '2040-12-31' });
  let registered = 0;
  for (let i = 0; i < count; i++) {
    const vehicle = demoVehicle(template, i, 'vcan0');
    const known = await db.selectFrom('vehicles').select('vin').where('vin', '=', vehicle.vin).executeTakeFirst();
    const keyFile = layout.vehicle(vehicle.vin).gatewayKey;
    if (known) {
      if (!existsSync(keyFile)) throw new Error(`${keyFile} is missing for registered ${vehicle.vin}; use --reset`);
      continue;
    }
    await registerVehicle(db, admin, {
      vin: vehicle.vin,
      modelId: DEMO_MODEL.id,
      modelYear: 2024 + (i % 2),
      region: 'EU',
      ownerRef: null,
      tags: ['demo'],
      // Hex, the form delivery verifies manifests with (the fleet API's schema asks for base64).
      gatewayPublicKey: gatewayKeyFromHex(gatewayKey(keyFile).publicKey.keyval.public),
      timeZone: 'Europe/Berlin',
      ecus: vehicle.ecus.map((e) => ({
        serial: e.identification.serialNumber,
        name: e.name,
        hardwareId: e.identification.hardwareId,
        installedVersion: e.simulation.softwareVersion,
        imageSha256: sha256Hex(runningImage(e)),
        asil: e.name === 'adas' ? 'B' : 'QM',
        // The demo's ECUs sit behind the vehicle gateway: only the gateway (TCU) talks to the outside.
        exposure: 'internal_bus',
      })),
    });
    registered++;
  }
  return registered;
}
