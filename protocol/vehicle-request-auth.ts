import { utf8Bytes } from './tuf/bytes.ts';
import { verifyEd25519 } from './tuf/keys.ts';
import type { Signer } from './tuf/keys.ts';

// How a vehicle proves itself on HTTP (e.g. to read its Director metadata under /tuf/director/<VIN>/):
// the request is signed with the vehicle's own Ed25519 key, the one that signs its version
// manifests and that the backend registered at provisioning. No shared secret, nothing new to
// provision, and the broker's client certificate stays an MQTT matter.
//
//   Authorization: OTA-Vehicle vin="<VIN>", time="<unix seconds>", signature="<128 hex>"
//
// The signature covers the method, the path, the VIN and the time; the server accepts a time within
// VEHICLE_AUTH_MAX_SKEW_SECONDS of its clock.

export const VEHICLE_AUTH_SCHEME = 'OTA-Vehicle';
export const VEHICLE_AUTH_MAX_SKEW_SECONDS = 300;

export interface VehicleRequest {
  method: string;
  /** The URL path, without query. */
  path: string;
  vin: string;
  /** Unix seconds. */
  time: number;
}

function message(r: VehicleRequest): Uint8Array {
  return utf8Bytes(`${VEHICLE_AUTH_SCHEME}\n${r.method.toUpperCase()}\n${r.path}\n${r.vin}\n${r.time}`);
}

/** The Authorization header value for `request`, signed by the vehicle's key. */
export function vehicleAuthorization(signer: Signer, request: Omit<VehicleRequest, 'time'>, now = new Date()): string {
  const signed = { ...request, time: Math.floor(now.getTime() / 1000) };
  return `${VEHICLE_AUTH_SCHEME} vin="${signed.vin}", time="${signed.time}", signature="${signer.sign(message(signed))}"`;
}

const HEADER = new RegExp(
  `^${VEHICLE_AUTH_SCHEME} vin="([A-HJ-NPR-Z0-9]{17})", time="(\\d{1,12})", signature="([0-9a-f]{128})"$`,
);

/** The VIN an OTA-Vehicle header claims, or null when the header is not one (e.g. a Bearer token). */
export function claimedVehicle(header: string): string | null {
  return HEADER.exec(header)?.[1] ?? null;
}

export type VehicleAuthResult = 'ok' | 'malformed' | 'stale' | 'bad_signature';

/** Whether `header` is a fresh signature of this request by the key `publicHex` (hex). */
export function verifyVehicleAuthorization(
  header: string,
  request: Omit<VehicleRequest, 'time' | 'vin'>,
  publicHex: string,
  now = new Date(),
): VehicleAuthResult {
  const match = HEADER.exec(header);
  if (!match) return 'malformed';
  const [, vin, time, signature] = match;
  if (vin === undefined || time === undefined || signature === undefined) return 'malformed';
  if (Math.abs(Number(time) - now.getTime() / 1000) > VEHICLE_AUTH_MAX_SKEW_SECONDS) return 'stale';
  const signed = message({ ...request, vin, time: Number(time) });
  return verifyEd25519(publicHex, signed, signature) ? 'ok' : 'bad_signature';
}
