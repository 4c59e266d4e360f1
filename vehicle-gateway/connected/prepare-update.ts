// From a campaign's metadata to an update the vehicle can install, touching no ECU: full Uptane verification
// (protocol/verifyUpdate), the ECU code signature checked against the key each ECU was provisioned with, every
// image rebuilt from its delta on the kept copy of the ECU's current image (or downloaded whole), its hash
// checked, and the kept copies a rollback needs. Any failure ends here with a code and a message.
import {
  MetadataVerificationError,
  fromRepositoryFiles,
  verifyEcuImageSignature,
  verifyUpdate,
  type EcuUpdate,
  type RepositoryFiles,
  type RepositoryName,
  type TrustedRepositoryState,
} from '@ota/protocol';
import { DeltaError, decodeAsync as decodeDelta } from '@ota/delta';
import { layoutSize, sha256Hex, splitRegions } from '../flash/image.ts';
import { ecuDeltaCacheBeside } from '../journal/ecu-delta-cache.ts';
import { inPlaceCacheBeside } from '../journal/in-place-cache.ts';
import { IN_PLACE_METHOD } from '../flash/in-place-plan.ts';
import type { ImageStore } from '../journal/image-store.ts';
import type { EcuTarget } from '../journal/update-record.ts';
import { describeInventoryProblem, type EcuInventory } from '../inventory/read-inventory.ts';
import type { UpdateRequest } from '../update/run-update.ts';
import type { PublicEcuDefinition, PublicVehicleDefinition } from '@ota/uds/vehicle';

export type PrepareFailureCode =
  | MetadataVerificationError['code']
  | 'ecu_unreachable'
  | 'unknown_ecu'
  | 'bad_ecu_signature'
  | 'download_failed'
  | 'delta_failed'
  | 'image_hash_mismatch'
  | 'no_rollback_image'
  | 'too_large';

/** What a refusal concerns, for its security event: the metadata repository or the ECU. */
export interface PrepareErrorSubject {
  repository?: RepositoryName | undefined;
  ecuSerial?: string;
}

export class PrepareError extends Error {
  override readonly name = 'PrepareError';
  constructor(
    readonly code: PrepareFailureCode,
    message: string,
    readonly subject: PrepareErrorSubject = {},
  ) {
    super(message);
  }
}

export interface PrepareInput {
  vehicle: PublicVehicleDefinition;
  inventory: readonly EcuInventory[];
  metadata: { image: RepositoryFiles; director: RepositoryFiles };
  trusted: { image: TrustedRepositoryState; director: TrustedRepositoryState };
  now: Date;
  images: ImageStore;
  /** Downloads exactly `length` bytes of the blob with this sha256 (and checks the hash). */
  fetchBlob(sha256: string, length: number): Promise<Uint8Array>;
}

export interface PreparedUpdate {
  campaignId: string;
  request: UpdateRequest;
  /** Persist only once the update was accepted: the new trusted repository state. */
  trusted: { image: TrustedRepositoryState; director: TrustedRepositoryState };
}

type ReachableInventory = Extract<EcuInventory, { status: 'complete' }>;

interface ImageTargetInfo {
  length: number;
  sha256: string;
  version: string;
  signature: string;
  hardwareIds: string[];
}

/** The verified Image repository targets by sha256 (to find the release an ECU runs now). */
function imageTargetsBySha(targetsJson: string): Map<string, ImageTargetInfo> {
  const parsed = JSON.parse(targetsJson) as {
    signed: {
      targets: Record<string, { length: number; hashes: { sha256?: string }; custom?: Record<string, unknown> }>;
    };
  };
  const out = new Map<string, ImageTargetInfo>();
  for (const t of Object.values(parsed.signed.targets)) {
    const c = t.custom ?? {};
    if (
      t.hashes.sha256 &&
      typeof c.version === 'string' &&
      typeof c.ecuSignature === 'string' &&
      Array.isArray(c.hardwareIds)
    ) {
      out.set(t.hashes.sha256, {
        length: t.length,
        sha256: t.hashes.sha256,
        version: c.version,
        signature: c.ecuSignature,
        hardwareIds: c.hardwareIds as string[],
      });
    }
  }
  return out;
}

async function download(input: PrepareInput, sha256: string, length: number, what: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await input.fetchBlob(sha256, length);
  } catch (err) {
    throw new PrepareError('download_failed', `${what}: ${(err as Error).message}`);
  }
  if (bytes.length !== length || sha256Hex(bytes) !== sha256) {
    throw new PrepareError('download_failed', `${what}: the downloaded blob does not match its length and hash`);
  }
  return bytes;
}

async function rebuild(input: PrepareInput, u: EcuUpdate, ecu: ReachableInventory): Promise<Uint8Array> {
  const base = u.delta ? input.images.get(u.delta.base.sha256) : null;
  let image: Uint8Array;
  if (u.delta && base && u.delta.base.sha256 === ecu.sha256) {
    const pkg = await download(input, u.delta.sha256, u.delta.length, `delta for ${u.ecuSerial}`);
    try {
      image = await decodeDelta(base.bytes, [pkg]);
    } catch (err) {
      if (err instanceof DeltaError) throw new PrepareError('delta_failed', `${u.ecuSerial}: ${err.message}`);
      throw err;
    }
  } else {
    // No kept copy of the delta's base (or no delta): the whole image.
    image = await download(input, u.sha256, u.length, `image for ${u.ecuSerial}`);
  }
  const sha = sha256Hex(image);
  if (image.length !== u.length || sha !== u.sha256) {
    throw new PrepareError(
      'image_hash_mismatch',
      `${u.ecuSerial}: the rebuilt image hashes to ${sha}, the signed metadata says ${u.sha256}`,
      { ecuSerial: u.ecuSerial },
    );
  }
  return image;
}

/**
 * A delta that does not pay is the brotli-compressed image, which incompressible data grows by a few
 * bytes per 64 KiB: this much above the ECU's flash size still fits any honest package.
 */
const DELTA_SLACK_BYTES = 64 * 1024;

/**
 * Signed lengths are trusted only up to what the ECU's flash holds: a compromised (or mistaken)
 * repository must not make the gateway plan or allocate downloads of any size. Checked for every
 * ECU before the first byte is requested.
 */
function refuseOversized(def: PublicEcuDefinition, what: string, length: number, slack = 0): void {
  const limit = layoutSize(def.flash) + slack;
  if (length > limit) {
    throw new PrepareError(
      'too_large',
      `${def.name}: the ${what} is ${length} bytes, above the limit of ${limit} bytes (the ECU's flash holds ${layoutSize(def.flash)})`,
    );
  }
}

/** A single-bank ECU is rolled back by reprogramming its current image: keep (or fetch) that image first. */
async function keepCurrentImage(
  input: PrepareInput,
  def: PublicEcuDefinition,
  ecu: ReachableInventory,
  released: Map<string, ImageTargetInfo>,
): Promise<void> {
  if (input.images.has(ecu.sha256)) return;
  const info = released.get(ecu.sha256);
  if (!info) {
    throw new PrepareError(
      'no_rollback_image',
      `${def.name} runs ${ecu.sha256}, which is not a released image: it could not be rolled back`,
    );
  }
  refuseOversized(def, 'current image', info.length);
  const bytes = await download(input, info.sha256, info.length, `current image of ${def.name}`);
  input.images.put(bytes, {
    version: info.version,
    hardwareId: ecu.hardwareId,
    signatures: [Buffer.from(info.signature, 'hex')],
  });
}

/**
 * An ECU that rebuilds regions from deltas gets them encoded now, at download time, into the gateway's cache:
 * flashing then only reads them (encoding costs 0.3-0.7 s per region at brotli quality 9).
 */
function prepareEcuDeltas(input: PrepareInput, def: PublicEcuDefinition, fromSha256: string, image: Uint8Array): void {
  const methods = def.flash.compressionMethods;
  const inPlace = def.flash.banks === 'single' && methods.some((m) => m.name === IN_PLACE_METHOD);
  if (!inPlace && !methods.some((m) => m.name === 'delta')) return;
  const base = input.images.get(fromSha256);
  const bases = base ? splitRegions(def.flash, base.bytes) : null;
  const targets = splitRegions(def.flash, image);
  if (!bases || !targets) return;
  // A single-bank ECU that patches in place gets its in-place patch (flash/in-place-plan.ts) instead.
  const cache = inPlace ? inPlaceCacheBeside(input.images, def.flash) : ecuDeltaCacheBeside(input.images);
  targets.forEach((target, i) => cache.get(bases[i]!, target));
}

export async function prepareUpdate(input: PrepareInput): Promise<PreparedUpdate> {
  const reachable = input.inventory.filter((e): e is ReachableInventory => e.status === 'complete');
  const unreadable = input.inventory.find((e) => e.status !== 'complete');
  if (unreadable) throw new PrepareError('ecu_unreachable', describeInventoryProblem(unreadable) ?? unreadable.ecu);
  let verified;
  try {
    verified = verifyUpdate({
      vin: input.vehicle.vin,
      ecus: reachable.map((e) => ({
        serial: e.serialNumber,
        hardwareId: e.hardwareId,
        version: e.softwareVersion,
        imageSha256: e.sha256,
      })),
      director: { metadata: fromRepositoryFiles(input.metadata.director), trusted: input.trusted.director },
      image: { metadata: fromRepositoryFiles(input.metadata.image), trusted: input.trusted.image },
      now: input.now,
    });
  } catch (err) {
    if (err instanceof MetadataVerificationError)
      throw new PrepareError(err.code, err.message, { repository: err.repository });
    throw err;
  }
  if (verified.campaignId === undefined || verified.updates.length === 0)
    throw new PrepareError('malformed', 'the Director lists nothing for this vehicle');
  const released = imageTargetsBySha(input.metadata.image.targets);
  for (const u of verified.updates) {
    const def = input.vehicle.ecus.find((e) => e.identification.serialNumber === u.ecuSerial);
    if (!def) continue; // refused as unknown_ecu below
    refuseOversized(def, 'image', u.length);
    if (u.delta) refuseOversized(def, 'delta package', u.delta.length, DELTA_SLACK_BYTES);
  }
  const targets: EcuTarget[] = [];
  for (const u of verified.updates) {
    const ecu = reachable.find((e) => e.serialNumber === u.ecuSerial);
    const def = input.vehicle.ecus.find((e) => e.identification.serialNumber === u.ecuSerial);
    if (!ecu || !def) throw new PrepareError('unknown_ecu', `ECU ${u.ecuSerial} is not in this vehicle's definition`);
    if (!verifyEcuImageSignature(def.codeSigningPublicKey, u.sha256, u.ecuSignature)) {
      throw new PrepareError(
        'bad_ecu_signature',
        `${def.name}: the image's code signature does not verify with the ECU's code-signing key`,
        { ecuSerial: u.ecuSerial },
      );
    }
    const image = await rebuild(input, u, ecu);
    input.images.put(image, {
      version: u.version,
      hardwareId: u.hardwareId,
      signatures: [Buffer.from(u.ecuSignature, 'hex')],
    });
    if (def.flash.banks === 'single') await keepCurrentImage(input, def, ecu, released);
    prepareEcuDeltas(input, def, ecu.sha256, image);
    targets.push({
      ecu: def.name,
      serialNumber: u.ecuSerial,
      hardwareId: u.hardwareId,
      fromVersion: ecu.softwareVersion,
      fromSha256: ecu.sha256,
      toVersion: u.version,
      toSha256: u.sha256,
      dependsOn: [],
    });
  }
  // Keep the vehicle file's order (it lists ECUs in the order they depend on each other).
  const rank = (name: string) => input.vehicle.ecus.findIndex((e) => e.name === name);
  targets.sort((a, b) => rank(a.ecu) - rank(b.ecu));
  const directorVersion = (JSON.parse(input.metadata.director.targets) as { signed: { version: number } }).signed
    .version;
  return {
    campaignId: verified.campaignId,
    request: { updateId: `${verified.campaignId}/${directorVersion}`, reference: verified.campaignId, targets },
    trusted: verified.trusted,
  };
}
