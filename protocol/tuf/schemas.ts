/**
 * zod schemas of TUF 1.0 metadata, for parsing untrusted input. Signatures are always checked
 * over the raw `signed` value (unknown fields included), never over what these schemas return.
 */
import { z } from 'zod';
import { parseExpires } from './time.ts';

export const HexSchema = z.string().regex(/^(?:[0-9a-f]{2})+$/, 'expected lowercase hex');
export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 as 64 lowercase hex digits');
const Count = z.number().int().nonnegative();
const Version = z.number().int().positive();

export const ExpiresSchema = z
  .string()
  .refine((text) => parseExpires(text) !== undefined, 'expected YYYY-MM-DDTHH:MM:SSZ');

export const SignatureSchema = z.object({ keyid: z.string().min(1), sig: z.string() });
export type Signature = z.infer<typeof SignatureSchema>;

export const EnvelopeSchema = z.object({ signatures: z.array(SignatureSchema), signed: z.unknown() });

/** Keys of any type parse (a root may list them); only Ed25519 ones can ever count towards a threshold. */
// Loose: unknown fields stay, because the key id is the hash of the whole key object.
export const KeySchema = z.looseObject({
  keytype: z.string(),
  scheme: z.string(),
  keyval: z.looseObject({ public: z.string() }),
});
export type Key = z.infer<typeof KeySchema>;

export const RoleKeysSchema = z.object({
  keyids: z
    .array(z.string().min(1))
    .min(1)
    .refine((ids) => new Set(ids).size === ids.length, 'duplicate key ids'),
  threshold: z.number().int().positive(),
});
export type RoleKeys = z.infer<typeof RoleKeysSchema>;

const common = {
  spec_version: z.string(),
  version: Version,
  expires: ExpiresSchema,
};

export const RootSignedSchema = z
  .object({
    _type: z.literal('root'),
    ...common,
    consistent_snapshot: z.boolean(),
    keys: z.record(z.string(), KeySchema),
    roles: z.object({
      root: RoleKeysSchema,
      targets: RoleKeysSchema,
      snapshot: RoleKeysSchema,
      timestamp: RoleKeysSchema,
    }),
  })
  .superRefine((root, ctx) => {
    for (const [role, keys] of Object.entries(root.roles)) {
      if (keys.threshold > keys.keyids.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['roles', role, 'threshold'],
          message: 'threshold exceeds the number of keys',
        });
      }
      for (const id of keys.keyids) {
        if (!(id in root.keys))
          ctx.addIssue({ code: 'custom', path: ['roles', role], message: `key ${id} is not in keys` });
      }
    }
  });
export type RootSigned = z.infer<typeof RootSignedSchema>;

export const HashesSchema = z
  .record(z.string(), HexSchema)
  .refine((hashes) => Object.keys(hashes).length > 0, 'at least one hash');
export type Hashes = z.infer<typeof HashesSchema>;

export const MetaFileSchema = z.object({ version: Version, length: Count.optional(), hashes: HashesSchema.optional() });
export type MetaFile = z.infer<typeof MetaFileSchema>;

export const TimestampSignedSchema = z.object({
  _type: z.literal('timestamp'),
  ...common,
  meta: z.object({ 'snapshot.json': MetaFileSchema }),
});
export type TimestampSigned = z.infer<typeof TimestampSignedSchema>;

export const SnapshotSignedSchema = z.object({
  _type: z.literal('snapshot'),
  ...common,
  meta: z
    .record(z.string(), MetaFileSchema)
    .refine((meta) => 'targets.json' in meta, 'snapshot must list targets.json'),
});
export type SnapshotSigned = z.infer<typeof SnapshotSignedSchema>;

export const TargetFileSchema = z.object({
  length: Count,
  hashes: HashesSchema.refine((hashes) => 'sha256' in hashes, 'targets need a sha256 hash'),
  custom: z.record(z.string(), z.unknown()).optional(),
});
export type TargetFile = z.infer<typeof TargetFileSchema>;

export const TargetsSignedSchema = z.object({
  _type: z.literal('targets'),
  ...common,
  targets: z.record(z.string(), TargetFileSchema),
});
export type TargetsSigned = z.infer<typeof TargetsSignedSchema>;

/** A signed metadata file: the role's content plus signatures over its canonical JSON. */
export interface SignedMetadata<T> {
  readonly signatures: readonly Signature[];
  readonly signed: T;
}

/** One line per issue, with the path: readable in logs and error reports. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
