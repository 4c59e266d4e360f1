// Plays the OEM's two repositories for the gateway tests, with protocol's builders: the Image repository
// releases new images for the simulated vehicle's ECUs, the Director assigns them (with delta packages) to
// this VIN. Options break one thing at a time for the verification tests.
import { readFileSync } from 'node:fs';
import { encode as encodeDelta } from '@ota/delta';
import {
  buildDirectorTarget,
  ed25519SignerFromSeed,
  releaseImage,
  sha256Hex,
  toRepositoryFiles,
  verifyRepository,
  type RepositoryFiles,
  type TargetFile,
  type TrustedRepositoryState,
} from '@ota/protocol';
import { LATER, NOW, publish, testRepository, type PublishOptions } from '@ota/protocol/testing';
import type { SimHarness } from './sim-vehicle.ts';
import { TEST_SIGNING_KEY_FILE } from './sim-vehicle.ts';

export { NOW };

export interface CampaignOptions {
  campaignId?: string;
  vin?: string;
  /** Send deltas (default) or only full images. */
  delta?: boolean;
  director?: PublishOptions;
  image?: PublishOptions;
  /** Leave this ECU's image out of the Image repository (a Director target the OEM never released). */
  unreleased?: string;
  /** Make this ECU's delta rebuild a different image than the one the metadata names. */
  corruptDeltaFor?: string;
  /** Sign these lengths for one ECU's new image and/or its delta package (an endless-data attack). */
  signedLength?: { ecu: string; image?: number; delta?: number };
  /** The gateway already trusts these versions of the Director (a replayed older campaign is then refused). */
  trustedDirectorVersion?: number;
}

export interface Campaign {
  campaignId: string;
  metadata: { image: RepositoryFiles; director: RepositoryFiles };
  trusted: { image: TrustedRepositoryState; director: TrustedRepositoryState };
  /** Everything the backend would serve by sha256: images and delta packages. */
  blobs: Map<string, Uint8Array>;
  /** The root files a gateway is provisioned with. */
  roots: { image: Uint8Array; director: Uint8Array };
}

export function buildCampaign(sim: SimHarness, versions: Record<string, string>, o: CampaignOptions = {}): Campaign {
  const campaignId = o.campaignId ?? 'campaign-42';
  const imageRepo = testRepository('image');
  const directorRepo = testRepository('director');
  const codeSigner = ed25519SignerFromSeed(Buffer.from(readFileSync(TEST_SIGNING_KEY_FILE, 'utf8').trim(), 'hex'));
  const blobs = new Map<string, Uint8Array>();
  const imageTargets: Record<string, TargetFile> = {};
  const directorTargets: Record<string, TargetFile> = {};
  for (const def of sim.definition.ecus) {
    const old = sim.image(def.name, def.simulation.softwareVersion).bytes;
    const release = (bytes: Uint8Array, version: string) =>
      releaseImage(
        bytes,
        { hardwareIds: [def.identification.hardwareId], version, releaseId: `${def.name}-${version}` },
        codeSigner,
      );
    // The running images are released too (the gateway fetches a single-bank ECU's current image from them).
    imageTargets[`${def.name}-${def.simulation.softwareVersion}.bin`] = release(old, def.simulation.softwareVersion);
    blobs.set(sha256Hex(old), old);
    const version = versions[def.name];
    if (version === undefined) continue;
    const neu = sim.image(def.name, version).bytes;
    const name = `${def.name}-${version}.bin`;
    const huge = o.signedLength?.ecu === def.name ? o.signedLength : undefined;
    const target = { ...release(neu, version), ...(huge?.image ? { length: huge.image } : {}) };
    if (o.unreleased !== def.name) imageTargets[name] = target;
    blobs.set(sha256Hex(neu), neu);
    let delta;
    if (o.delta ?? true) {
      const wanted = o.corruptDeltaFor === def.name ? sim.image(def.name, `${version}-evil`).bytes : neu;
      const pkg = encodeDelta(old, wanted, { quality: 5 });
      blobs.set(sha256Hex(pkg), pkg);
      delta = {
        length: huge?.delta ?? pkg.length,
        sha256: sha256Hex(pkg),
        base: { length: old.length, sha256: sha256Hex(old) },
      };
    }
    directorTargets[name] = buildDirectorTarget(target, {
      vin: o.vin ?? sim.definition.vin,
      campaignId,
      ecus: {
        [def.identification.serialNumber]: { hardwareId: def.identification.hardwareId, ...(delta ? { delta } : {}) },
      },
    });
  }
  let directorTrusted = directorRepo.trusted;
  if (o.trustedDirectorVersion !== undefined) {
    const v = o.trustedDirectorVersion;
    const earlier = publish(directorRepo, {}, { versions: { targets: v, snapshot: v, timestamp: v } });
    directorTrusted = verifyRepository('director', { roots: [], ...earlier }, directorTrusted, NOW).state;
  }
  const image = publish(imageRepo, imageTargets, o.image);
  const director = publish(directorRepo, directorTargets, o.director);
  return {
    campaignId,
    metadata: { image: toRepositoryFiles(image), director: toRepositoryFiles(director) },
    trusted: { image: imageRepo.trusted, director: directorTrusted },
    blobs,
    roots: { image: imageRepo.root, director: directorRepo.root },
  };
}

export { LATER };
