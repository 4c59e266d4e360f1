// A flashable image as the gateway holds it: one content per flash region of the ECU, each with the OEM
// code-signing signature the ECU checks in checkMemory (31 01 0202). The image hash (F1A0) is SHA-256 over the
// regions' contents back to back.
import { createHash } from 'node:crypto';
import type { FlashLayout } from '@ota/uds/vehicle';

export const SIGNATURE_LENGTH = 64;

export interface RegionImage {
  address: number;
  data: Uint8Array;
  signature: Uint8Array;
}

export interface FlashImage {
  regions: readonly RegionImage[];
}

export class ImageLayoutError extends Error {
  override readonly name = 'ImageLayoutError';
}

export function sha256Hex(...parts: readonly Uint8Array[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

export function imageSha256(regions: readonly Pick<RegionImage, 'data'>[]): string {
  return sha256Hex(...regions.map((r) => r.data));
}

export function layoutSize(layout: FlashLayout): number {
  return layout.regions.reduce((n, r) => n + r.size, 0);
}

/** Splits the concatenated content of all regions into the layout's regions, with one signature each. */
export function imageForLayout(layout: FlashLayout, bytes: Uint8Array, signatures: readonly Uint8Array[]): FlashImage {
  const total = layoutSize(layout);
  if (bytes.length !== total) {
    throw new ImageLayoutError(
      `the image is ${bytes.length} bytes but the ECU's flash regions hold ${total} (${layout.regions
        .map((r) => `0x${r.address.toString(16)}+${r.size}`)
        .join(', ')}); an image fills its regions exactly`,
    );
  }
  if (signatures.length !== layout.regions.length) {
    throw new ImageLayoutError(`${signatures.length} signature(s) for ${layout.regions.length} flash region(s)`);
  }
  let offset = 0;
  const regions = layout.regions.map((r, i) => {
    const signature = signatures[i] as Uint8Array;
    if (signature.length !== SIGNATURE_LENGTH) {
      throw new ImageLayoutError(`signature ${i} is ${signature.length} bytes, an Ed25519 signature has 64`);
    }
    const data = bytes.subarray(offset, offset + r.size);
    offset += r.size;
    return { address: r.address, data, signature };
  });
  return { regions };
}

/** Splits concatenated region contents without signatures (a known current image, a delta base). */
export function splitRegions(layout: FlashLayout, bytes: Uint8Array): Uint8Array[] | null {
  if (bytes.length !== layoutSize(layout)) return null;
  let offset = 0;
  return layout.regions.map((r) => {
    const part = bytes.subarray(offset, offset + r.size);
    offset += r.size;
    return part;
  });
}
