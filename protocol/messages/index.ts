export {
  isMessageKind,
  MESSAGE_KINDS,
  parseVehicleTopic,
  PROTOCOL_VERSION,
  sharedSubscriptionFilter,
  subscriptionFilter,
  TOPIC_PREFIX,
  vehicleTopic,
} from './topics.ts';
export type { MessageKind } from './topics.ts';
export {
  ByteRangeSchema,
  ChunksRequestSchema,
  ManifestMessageSchema,
  MAX_RANGE_LENGTH,
  MAX_RANGES_PER_REQUEST,
  MetadataRequestSchema,
  MetadataResponseSchema,
  OfferSchema,
  PAYLOAD_SCHEMAS,
  ProgressSchema,
  RepositoryFilesSchema,
  RequestIdSchema,
  ResultSchema,
  SecurityEventMessageSchema,
  StatusSchema,
  StoredSchema,
  UpdatePhaseSchema,
} from './payloads.ts';
export type { JsonMessageKind, MessagePayload, RepositoryFiles } from './payloads.ts';
export {
  ECU_OUTCOMES,
  EcuOutcomeSchema,
  EcuResultSchema,
  VEHICLE_OUTCOMES,
  VehicleOutcomeSchema,
} from './ecu-result.ts';
export type { EcuOutcome, EcuResult, VehicleOutcome } from './ecu-result.ts';
export { decodeMessage, encodeMessage } from './codec.ts';
export { CHUNK_FRAME_VERSION, ChunkHeaderSchema, decodeChunkFrame, encodeChunkFrame } from './chunk-frame.ts';
export type { ChunkFrame, ChunkHeader } from './chunk-frame.ts';
export { MessageDecodeError } from './errors.ts';
export { fromRepositoryFiles, toRepositoryFiles } from './repository-files.ts';
export {
  attackOf,
  DEFAULT_SEVERITY,
  isVerificationErrorCode,
  METADATA_ATTACKS,
  SECURITY_EVENT_TYPES,
  SECURITY_SEVERITIES,
  SecurityEventError,
  SecurityEventSchema,
  securityEventId,
  signSecurityEvent,
  verifySecurityEvent,
} from './security-event.ts';
export type {
  MetadataAttack,
  SecurityEvent,
  SecurityEventType,
  SecuritySeverity,
  SignedSecurityEvent,
} from './security-event.ts';
