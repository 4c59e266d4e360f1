/**
 * What both ends of the backend-gateway wire agree on. Pure code, no I/O.
 * Delta packages are their own library, `delta/` (the ECU simulator decodes them too).
 */
export * from './tuf/index.ts';
export * from './uptane/index.ts';
export * from './manifest/index.ts';
export * from './messages/index.ts';
export { EcuSerialSchema, VinSchema } from './vin.ts';
export type { Vin } from './vin.ts';
export {
  claimedVehicle,
  VEHICLE_AUTH_MAX_SKEW_SECONDS,
  VEHICLE_AUTH_SCHEME,
  vehicleAuthorization,
  verifyVehicleAuthorization,
} from './vehicle-request-auth.ts';
export type { VehicleAuthResult, VehicleRequest } from './vehicle-request-auth.ts';
export { gatewayKeyFromHex, gatewayKeyToHex } from './gateway-key.ts';
export { NUL, NUL_MESSAGE, nulFields } from './nul-fields.ts';
