// Public API of the uds/ library: CAN transports, ISO-TP (ISO 15765-2), the UDS client used by the gateway
// and the UDS server framework used by the ECU simulator (ISO 14229-1).
export type { CanFrame } from './can/frame.ts';
export { CanFrameError, FD_DATA_LENGTHS, fdLengthFor, formatCanFrame, validateCanFrame } from './can/frame.ts';
export type { CanIdFilter, CanTransport } from './can/transport.ts';
export { exactIdFilter, frameMatches } from './can/transport.ts';
export { MemoryCanBus, frameBits, type MemoryCanBusOptions } from './can/memory-bus.ts';
export { openSocketCan, SocketCanUnavailableError, type SocketCanOptions } from './can/socketcan-transport.ts';

export { IsoTpEndpoint } from './isotp/endpoint.ts';
export type { ReceivedFormat } from './isotp/frames.ts';
export {
  OBD_FUNCTIONAL_REQUEST_ID,
  normalFixedId,
  normalFixedPhysicalIds,
  obdPhysicalIds,
  type IsoTpOptions,
  type ResolvedIsoTpOptions,
} from './isotp/options.ts';
export * from './isotp/errors.ts';
export { stMinToMicros } from './isotp/stmin.ts';

export { NRC, NegativeResponse, NegativeResponseError, nrcName, type NrcName } from './nrc.ts';
export { computeSecurityKey, SECURITY_KEY_LENGTH } from './security-key.ts';
export * from './services/index.ts';
export * from './profile/index.ts';

export { UdsClient, type DownloadOptions } from './client/client.ts';
export { UdsRequester, type RequestOptions, type UdsClientOptions } from './client/requester.ts';
export { UdsClientClosedError, UdsTimeoutError } from './client/errors.ts';

export { UdsServer, type SessionChangeCause, type UdsServerOptions } from './server/server.ts';
export { MAX_QUEUED_REQUESTS, type RefusedRequests } from './server/request-admission.ts';
export type { RequestContext, ServiceDefinition, ServiceHandler, SubFunctionRule } from './server/types.ts';
export {
  createSecurityAccessService,
  type SecurityAccessServiceOptions,
  type SecurityLevelConfig,
} from './server/security-access-service.ts';

export {
  publicVehicleSchema,
  publicEcuSchema,
  vinSchema,
  type Addressing,
  type FlashLayout,
  type FlashRegion,
  type PublicEcuDefinition,
  type PublicVehicleDefinition,
} from './vehicle/definition-schema.ts';

export {
  checkCertificate,
  supportedKeyType,
  type CertificateCheck,
  type CertificatePolicy,
  type VerifiedCertificate,
} from './authentication/certificate-check.ts';
export {
  CHALLENGE_LENGTH,
  newChallenge,
  proveOwnership,
  verifyOwnership,
} from './authentication/proof-of-ownership.ts';
export {
  authenticateTester,
  EcuAuthenticationError,
  type AuthenticationExchange,
  type TesterCredential,
} from './authentication/tester-authentication.ts';
