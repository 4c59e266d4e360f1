import { fromHex, sha256, sha256Hex, toHex } from '../tuf/bytes.ts';
import { verifyEd25519 } from '../tuf/keys.ts';
import type { Signer } from '../tuf/keys.ts';
import type { TargetFile } from '../tuf/schemas.ts';
import type { DirectorEcuTarget, ImageTargetCustom } from './custom-fields.ts';

/** Length and sha256 of an image (or any blob). */
export function describeBlob(bytes: Uint8Array): { length: number; sha256: string } {
  return { length: bytes.length, sha256: sha256Hex(bytes) };
}

/** The ECU code signature: Ed25519 over the 32 raw bytes of the image's SHA-256. */
export function signEcuImage(codeSigner: Signer, imageSha256: string): string {
  return codeSigner.sign(fromHex(imageSha256));
}

export function verifyEcuImageSignature(codeSigningPublicKey: string, imageSha256: string, signature: string): boolean {
  return /^[0-9a-f]{64}$/.test(imageSha256) && verifyEd25519(codeSigningPublicKey, fromHex(imageSha256), signature);
}

/** An Image repository target entry. */
export function buildImageTarget(
  image: { readonly length: number; readonly sha256: string },
  custom: ImageTargetCustom,
): TargetFile {
  return { length: image.length, hashes: { sha256: image.sha256 }, custom: { ...custom } };
}

/** Convenience for tests and tools holding the whole image: hashes, code-signs and describes it. */
export function releaseImage(
  image: Uint8Array,
  release: Omit<ImageTargetCustom, 'ecuSignature'>,
  codeSigner: Signer,
): TargetFile {
  const digest = sha256(image);
  return buildImageTarget(
    { length: image.length, sha256: toHex(digest) },
    { ...release, ecuSignature: codeSigner.sign(digest) },
  );
}

/**
 * A Director target entry: the same length and hashes as the Image repository's entry for that
 * file name (the gateway checks they agree), plus who must install it.
 */
export function buildDirectorTarget(
  imageTarget: TargetFile,
  assignment: {
    readonly vin: string;
    readonly campaignId: string;
    readonly ecus: Readonly<Record<string, DirectorEcuTarget>>;
  },
): TargetFile {
  return {
    length: imageTarget.length,
    hashes: { ...imageTarget.hashes },
    custom: {
      vin: assignment.vin,
      campaignId: assignment.campaignId,
      // Rebuilt field by field: an `undefined` delta has no canonical JSON form.
      ecus: Object.fromEntries(
        Object.entries(assignment.ecus).map(([serial, { hardwareId, delta }]) => [
          serial,
          delta === undefined ? { hardwareId } : { hardwareId, delta },
        ]),
      ),
    },
  };
}
