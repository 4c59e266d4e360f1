import { signEcuImage } from '@ota/protocol/uptane';
import type { Signer } from '@ota/protocol/keys';
import type { Db } from '../db/database.ts';

/**
 * The ECU code signature (Ed25519 over the image's SHA-256, by the code-signing key, which is not
 * a TUF key) of each image, made once and kept: re-signing metadata never changes it.
 */
export async function ensureCodeSignatures(
  db: Db,
  codeSigner: Signer,
  sha256s: readonly string[],
): Promise<Map<string, string>> {
  const unique = [...new Set(sha256s)];
  const found = new Map<string, string>();
  if (unique.length === 0) return found;
  const rows = await db
    .selectFrom('image_code_signatures')
    .select(['sha256', 'signature'])
    .where('sha256', 'in', unique)
    .execute();
  for (const row of rows) found.set(row.sha256, row.signature);
  const missing = unique.filter((sha) => !found.has(sha));
  if (missing.length > 0) {
    const values = missing.map((sha256) => ({
      sha256,
      signature: signEcuImage(codeSigner, sha256),
      key_id: codeSigner.keyId,
    }));
    await db
      .insertInto('image_code_signatures')
      .values(values)
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
    for (const v of values) found.set(v.sha256, v.signature);
  }
  return found;
}
