/**
 * Uptane full verification on the gateway: both repositories through the TUF workflow, then the
 * Director's instructions checked against what the OEM released and what this vehicle reports.
 */
import { MetadataVerificationError } from '../tuf/errors.ts';
import type { RepositoryName, VerificationErrorCode } from '../tuf/errors.ts';
import { hashesAgree } from '../tuf/hashes.ts';
import { verifyRepository } from '../tuf/repository-verifier.ts';
import type { RepositoryMetadata } from '../tuf/repository-verifier.ts';
import type { Hashes, TargetFile, TargetsSigned } from '../tuf/schemas.ts';
import { describeZodError } from '../tuf/schemas.ts';
import type { TrustedRepositoryState } from '../tuf/trusted-state.ts';
import { DirectorTargetCustomSchema, ImageTargetCustomSchema } from './custom-fields.ts';
import type { DeltaPackage, DirectorEcuTarget, ImageTargetCustom } from './custom-fields.ts';
import { compareReleaseVersions } from './release-version.ts';

/** An ECU as the gateway reads it over UDS (F18C serial, F191 hardware id, F189 version, F1A0 hash). */
export interface ReportedEcu {
  readonly serial: string;
  readonly hardwareId: string;
  /** Running release version; when known, an older image is refused (downgrade). */
  readonly version?: string;
  /** sha256 of the running image; when known, a delta must be built on it. */
  readonly imageSha256?: string;
}

export interface RepositoryInput {
  readonly metadata: RepositoryMetadata;
  readonly trusted: TrustedRepositoryState;
}

/** One ECU's verified instruction: which image to install, and how to get it. */
export interface EcuUpdate {
  readonly ecuSerial: string;
  readonly hardwareId: string;
  readonly targetName: string;
  readonly length: number;
  readonly sha256: string;
  readonly hashes: Hashes;
  readonly version: string;
  readonly releaseId: string;
  readonly ecuSignature: string;
  /** The version the ECU reported running, if it did. */
  readonly fromVersion?: string;
  readonly delta?: DeltaPackage;
}

export interface VerifiedUpdate {
  /** The campaign the Director targets belong to; undefined when the Director lists nothing. */
  readonly campaignId: string | undefined;
  readonly updates: readonly EcuUpdate[];
  /** New trusted state of both repositories: persist it only now that everything verified. */
  readonly trusted: { readonly director: TrustedRepositoryState; readonly image: TrustedRepositoryState };
}

function fail(code: VerificationErrorCode, repository: RepositoryName, detail: string): never {
  throw new MetadataVerificationError(code, 'targets', repository, detail);
}

/** The Image repository's release of the Director's target `name`: it must exist with the same length and hashes. */
function releaseOf(
  name: string,
  target: TargetFile,
  image: TargetsSigned,
): { released: TargetFile; release: ImageTargetCustom } {
  const released = image.targets[name];
  if (released === undefined) fail('unknown_target', 'director', `${name} is not in the Image repository`);
  if (released.length !== target.length) {
    fail(
      'length_mismatch',
      'director',
      `${name}: Director says ${target.length} bytes, Image repository ${released.length}`,
    );
  }
  if (!hashesAgree(target.hashes, released.hashes)) {
    fail('hash_mismatch', 'director', `${name}: hashes differ from the Image repository's`);
  }
  const release = ImageTargetCustomSchema.safeParse(released.custom ?? {});
  if (!release.success) fail('malformed', 'image', `target ${name}: ${describeZodError(release.error)}`);
  return { released, release: release.data };
}

/** The Director's instruction for ECU `serial` against what the ECU reports and what was released for it. */
function checkInstruction(
  name: string,
  serial: string,
  instruction: DirectorEcuTarget,
  ecu: ReportedEcu,
  release: ImageTargetCustom,
): void {
  if (instruction.hardwareId !== ecu.hardwareId) {
    fail(
      'hardware_mismatch',
      'director',
      `ECU ${serial} reports ${ecu.hardwareId}, Director says ${instruction.hardwareId}`,
    );
  }
  if (!release.hardwareIds.includes(ecu.hardwareId)) {
    fail('hardware_mismatch', 'image', `${name} is not released for ${ecu.hardwareId} (ECU ${serial})`);
  }
  if (ecu.version !== undefined && compareReleaseVersions(release.version, ecu.version) < 0) {
    fail('downgrade', 'director', `ECU ${serial} runs ${ecu.version}; ${name} is the older ${release.version}`);
  }
  const { delta } = instruction;
  if (delta !== undefined && ecu.imageSha256 !== undefined && delta.base.sha256 !== ecu.imageSha256) {
    fail(
      'delta_base_mismatch',
      'director',
      `ECU ${serial}: delta is built on ${delta.base.sha256}, ECU runs ${ecu.imageSha256}`,
    );
  }
}

export function verifyUpdate(input: {
  readonly vin: string;
  readonly ecus: readonly ReportedEcu[];
  readonly director: RepositoryInput;
  readonly image: RepositoryInput;
  readonly now: Date;
}): VerifiedUpdate {
  const director = verifyRepository('director', input.director.metadata, input.director.trusted, input.now);
  const image = verifyRepository('image', input.image.metadata, input.image.trusted, input.now);
  const reported = new Map(input.ecus.map((ecu) => [ecu.serial, ecu]));
  const assigned = new Set<string>();
  const updates: EcuUpdate[] = [];
  let campaignId: string | undefined;

  for (const [name, target] of Object.entries(director.targets.targets)) {
    const custom = DirectorTargetCustomSchema.safeParse(target.custom ?? {});
    if (!custom.success) fail('malformed', 'director', `target ${name}: ${describeZodError(custom.error)}`);
    const { vin, ecus } = custom.data;
    if (vin !== input.vin) fail('wrong_vin', 'director', `target ${name} is for ${vin}, this vehicle is ${input.vin}`);
    if (campaignId !== undefined && custom.data.campaignId !== campaignId) {
      fail('malformed', 'director', `targets name two campaigns, ${campaignId} and ${custom.data.campaignId}`);
    }
    campaignId = custom.data.campaignId;
    const { released, release } = releaseOf(name, target, image.targets);

    for (const [serial, instruction] of Object.entries(ecus)) {
      const ecu = reported.get(serial);
      if (ecu === undefined) fail('wrong_ecu', 'director', `${name}: ECU ${serial} is not in this vehicle`);
      if (assigned.has(serial)) fail('wrong_ecu', 'director', `ECU ${serial} is named by more than one target`);
      assigned.add(serial);
      checkInstruction(name, serial, instruction, ecu, release);
      const { delta } = instruction;
      updates.push({
        ecuSerial: serial,
        hardwareId: ecu.hardwareId,
        targetName: name,
        length: released.length,
        sha256: released.hashes.sha256!,
        hashes: released.hashes,
        version: release.version,
        releaseId: release.releaseId,
        ecuSignature: release.ecuSignature,
        ...(ecu.version === undefined ? {} : { fromVersion: ecu.version }),
        ...(delta === undefined ? {} : { delta }),
      });
    }
  }
  return { campaignId, updates, trusted: { director: director.state, image: image.state } };
}
