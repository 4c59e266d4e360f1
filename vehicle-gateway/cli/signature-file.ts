// `gateway flash --signature FILE`: the OEM code signatures of an image's regions, one per region, as the
// engineer was given them.
import { KeyFormatError, SIGNATURE_LENGTH } from '@ota/uds';

/** Signatures in a file: raw binary (64 bytes per region) or hex text (128 digits per region, whitespace ignored). */
export function parseSignatures(content: Buffer, regionCount: number): Uint8Array[] {
  const hexLength = regionCount * SIGNATURE_LENGTH * 2;
  const text = content.toString('latin1').replace(/\s+/g, '');
  const bytes = /^[0-9a-fA-F]+$/.test(text) && text.length === hexLength ? Buffer.from(text, 'hex') : content;
  if (bytes.length !== regionCount * SIGNATURE_LENGTH) {
    throw new KeyFormatError(
      `a signature file holds ${regionCount} Ed25519 signature(s) (${regionCount * SIGNATURE_LENGTH} bytes raw or ${hexLength} hex digits), this one has ${content.length} bytes`,
    );
  }
  return Array.from(
    { length: regionCount },
    (_, i) => new Uint8Array(bytes.subarray(i * SIGNATURE_LENGTH, (i + 1) * SIGNATURE_LENGTH)),
  );
}
