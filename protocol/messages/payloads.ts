/** zod schemas of the JSON message payloads, one per topic kind (chunks/data is binary: chunk-frame.ts). */
import { z } from 'zod';
import { SignatureSchema } from '../tuf/schemas.ts';
import { ExpiresSchema, Sha256HexSchema } from '../tuf/schemas.ts';
import { EcuSerialSchema } from '../vin.ts';
import { EcuResultSchema, VehicleOutcomeSchema } from './ecu-result.ts';

/** Correlates a response with its request on MQTT 3.1.1 (no correlation data property there). */
export const RequestIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'expected 8-64 characters [A-Za-z0-9_-]');
const UtcTimestamp = ExpiresSchema; // same YYYY-MM-DDTHH:MM:SSZ form
const CampaignId = z.string().min(1).max(128);
const Count = z.number().int().nonnegative();

/** Largest byte range a gateway may ask for in one range entry, and most entries per request. */
export const MAX_RANGE_LENGTH = 4 * 1024 * 1024;
export const MAX_RANGES_PER_REQUEST = 256;

/** backend -> vehicle: there is an update for you; ask for its metadata. */
export const OfferSchema = z.object({
  campaignId: CampaignId,
  offeredAt: UtcTimestamp,
  /** Install no later than this (campaign deadline), if any. */
  deadline: UtcTimestamp.optional(),
  /** Total bytes the vehicle will download (for scheduling on metered links). */
  downloadBytes: Count,
  /**
   * Which attempt of this campaign on this vehicle (1, then +1 per manual retry): a vehicle that
   * finished an earlier attempt takes a higher one. Absent in offers of older backends: 1.
   */
  attempt: z.number().int().min(1).default(1),
});

/** vehicle -> backend: send the metadata of this campaign; I trust these root versions. */
export const MetadataRequestSchema = z.object({
  requestId: RequestIdSchema,
  campaignId: CampaignId,
  trustedRootVersions: z.object({ image: z.number().int().positive(), director: z.number().int().positive() }),
});

/** The metadata files of one repository as their exact UTF-8 text (hashes cover these bytes). */
export const RepositoryFilesSchema = z.object({
  /** Root versions after the vehicle's trusted one, in order. */
  roots: z.array(z.string()),
  timestamp: z.string(),
  snapshot: z.string(),
  targets: z.string(),
});
export type RepositoryFiles = z.infer<typeof RepositoryFilesSchema>;

export const MetadataResponseSchema = z.discriminatedUnion('status', [
  z.object({
    requestId: RequestIdSchema,
    status: z.literal('ok'),
    campaignId: CampaignId,
    image: RepositoryFilesSchema,
    director: RepositoryFilesSchema,
  }),
  z.object({
    requestId: RequestIdSchema,
    status: z.literal('error'),
    error: z.object({ code: z.string().min(1), message: z.string() }),
  }),
]);

export const ByteRangeSchema = z.object({ offset: Count, length: z.number().int().positive().max(MAX_RANGE_LENGTH) });

/** vehicle -> backend: send these byte ranges of the blob with this sha256 (a delta or an image). */
export const ChunksRequestSchema = z.object({
  requestId: RequestIdSchema,
  sha256: Sha256HexSchema,
  ranges: z.array(ByteRangeSchema).min(1).max(MAX_RANGES_PER_REQUEST),
});

export const UpdatePhaseSchema = z.enum([
  'downloading',
  'verifying',
  'rebuilding',
  'flashing',
  'activating',
  'rolling_back',
]);

/** vehicle -> backend: how far an update got (QoS 0 is enough; the next one supersedes it). */
export const ProgressSchema = z.object({
  campaignId: CampaignId,
  phase: UpdatePhaseSchema,
  ecuSerial: EcuSerialSchema.optional(),
  bytesDone: Count,
  bytesTotal: Count,
  at: UtcTimestamp,
});

/** vehicle -> backend: how the update of this vehicle ended, per ECU. */
export const ResultSchema = z.object({
  campaignId: CampaignId,
  /** Unique per result, so a redelivered result is recognised and changes nothing. */
  resultId: RequestIdSchema,
  outcome: VehicleOutcomeSchema,
  ecus: z.array(EcuResultSchema),
  /** Why nothing was installed, e.g. a MetadataVerificationError code and message. */
  error: z.object({ code: z.string().min(1), message: z.string() }).optional(),
  finishedAt: UtcTimestamp,
});

/** vehicle -> backend: the signed version manifest (verify with verifyVehicleManifest). */
export const ManifestMessageSchema = z.object({ signatures: z.array(SignatureSchema).min(1), signed: z.unknown() });

/** vehicle -> backend: a signed security event (verify with verifySecurityEvent). */
export const SecurityEventMessageSchema = ManifestMessageSchema;

/** vehicle -> backend, retained; also the MQTT last will (`online: false`). */
export const StatusSchema = z.object({ online: z.boolean(), gatewayVersion: z.string().optional() });

/**
 * backend -> vehicle, after the database commit: this result (by resultId) or manifest (by counter)
 * (or security event, by counter) is stored, or was refused for good (`rejected`, with why); either way stop resending it. A vehicle
 * keeps each result and manifest and resends it with backoff until this arrives.
 */
export const StoredSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('result'),
    campaignId: CampaignId,
    resultId: RequestIdSchema,
    status: z.enum(['stored', 'rejected']),
    reason: z.string().max(2000).optional(),
  }),
  z.object({
    kind: z.literal('manifest'),
    counter: Count,
    status: z.enum(['stored', 'rejected']),
    reason: z.string().max(2000).optional(),
  }),
  z.object({
    kind: z.literal('security-event'),
    counter: Count,
    status: z.enum(['stored', 'rejected']),
    reason: z.string().max(2000).optional(),
  }),
]);

/** Payload schema of every JSON message kind. */
export const PAYLOAD_SCHEMAS = {
  offer: OfferSchema,
  'metadata/request': MetadataRequestSchema,
  'metadata/response': MetadataResponseSchema,
  'chunks/request': ChunksRequestSchema,
  progress: ProgressSchema,
  result: ResultSchema,
  manifest: ManifestMessageSchema,
  'security-event': SecurityEventMessageSchema,
  status: StatusSchema,
  stored: StoredSchema,
} as const;

export type JsonMessageKind = keyof typeof PAYLOAD_SCHEMAS;
export type MessagePayload<K extends JsonMessageKind> = z.output<(typeof PAYLOAD_SCHEMAS)[K]>;
