/**
 * A signed audit checkpoint: one JSON line saying "entries `from`..`seq` of the audit chain hashed
 * to these values at time `at`", signed with the backend's checkpoint key (Ed25519, kept in a file,
 * never in the database). `headHash` is the full hash of entry `seq`: since every entry links to the
 * previous one, it commits to the whole chain up to `seq`. `digests` are the first 64 bits of each
 * entry's hash from `from` to `seq`, so a verifier can name the first changed entry, not only the
 * first checkpoint that no longer matches.
 */
import { z } from 'zod';
import { ed25519PublicKey, keyIdOf, verifyEd25519 } from '@ota/protocol/keys';
import type { Signer } from '@ota/protocol/keys';
import { canonicalJson } from './canonical-json.ts';

export const DIGEST_HEX_CHARS = 16;
const HEX64 = /^[0-9a-f]{64}$/;
// Signatures are over this prefix plus the canonical JSON of the body: a checkpoint signature can
// never be mistaken for (or replayed as) a signature of anything else.
const SIGNING_CONTEXT = 'ota-audit-checkpoint:v1\n';

const BodyFields = z.object({
  v: z.literal(1),
  from: z.number().int().positive(),
  seq: z.number().int().positive(),
  headHash: z.string().regex(HEX64),
  digests: z.array(z.string().regex(new RegExp(`^[0-9a-f]{${DIGEST_HEX_CHARS}}$`))),
  at: z.iso.datetime(),
  keyId: z.string().regex(HEX64),
});
const SignedFields = BodyFields.extend({ sig: z.string().regex(/^[0-9a-f]{128}$/) });

const consistent = (b: z.infer<typeof BodyFields>) =>
  b.seq >= b.from && b.digests.length === b.seq - b.from + 1 && b.digests.at(-1) === digestOf(b.headHash);
const CONSISTENCY = { message: 'digests must cover from..seq and end with the head hash' };

export type CheckpointBody = z.infer<typeof BodyFields>;
export type SignedCheckpoint = z.infer<typeof SignedFields>;
export const SignedCheckpointSchema = SignedFields.refine(consistent, CONSISTENCY);

export function digestOf(hash: string): string {
  return hash.slice(0, DIGEST_HEX_CHARS);
}

function signingMessage(body: CheckpointBody): Uint8Array {
  return Buffer.from(SIGNING_CONTEXT + canonicalJson(body), 'utf8');
}

export interface CheckpointRange {
  readonly from: number;
  readonly seq: number;
  /** Full hash of each entry from..seq, in order. */
  readonly hashes: readonly string[];
  readonly at: Date;
}

export function signCheckpoint(signer: Signer, range: CheckpointRange): SignedCheckpoint {
  const headHash = range.hashes.at(-1);
  if (headHash === undefined) throw new RangeError('a checkpoint covers at least one entry');
  const body: CheckpointBody = {
    v: 1,
    from: range.from,
    seq: range.seq,
    headHash,
    digests: range.hashes.map(digestOf),
    at: range.at.toISOString(),
    keyId: signer.keyId,
  };
  if (!BodyFields.refine(consistent, CONSISTENCY).safeParse(body).success) {
    throw new RangeError(`checkpoint ${range.from}..${range.seq} does not have one hash per entry`);
  }
  return { ...body, sig: signer.sign(signingMessage(body)) };
}

/** Whether the checkpoint was signed by the key `publicHex` (64 hex digits) and is unchanged since. */
export function checkpointSignedBy(checkpoint: SignedCheckpoint, publicHex: string): boolean {
  const { sig, ...body } = checkpoint;
  if (body.keyId !== keyIdOf(ed25519PublicKey(publicHex))) return false;
  return verifyEd25519(publicHex, signingMessage(body), sig);
}

export type ParsedLine =
  /** Not JSON: the end of a line a crash cut short (the writer appends whole lines only). */
  | { readonly kind: 'torn' }
  | { readonly kind: 'invalid'; readonly problem: string }
  | { readonly kind: 'checkpoint'; readonly checkpoint: SignedCheckpoint };

export function parseCheckpointLine(text: string): ParsedLine {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'torn' };
  }
  const parsed = SignedCheckpointSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'invalid', problem: `${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'invalid'}` };
  }
  return { kind: 'checkpoint', checkpoint: parsed.data };
}
