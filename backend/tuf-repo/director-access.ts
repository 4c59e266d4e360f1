import type { Context } from 'hono';
import { claimedVehicle, verifyVehicleAuthorization, gatewayKeyToHex } from '@ota/protocol';
import type { Db } from '../db/database.ts';
import type { AuthUser } from '../http/auth.ts';
import { ProblemError } from '../http/problem.ts';

/** Resolves an `Authorization: Bearer` header to a user (the API's own rule). */
export type UserResolver = (header: string | undefined) => Promise<AuthUser | 'missing' | 'unknown'>;

const unauthorized = (detail: string) =>
  new ProblemError(401, 'unauthorized', 'Unauthorized', detail, { schemes: ['Bearer', 'OTA-Vehicle'] });

/**
 * Who may read a vehicle's Director metadata (its ECU serials and campaign): the vehicle itself,
 * by a request signed with its registered gateway key, or any user of the API by token.
 * Returns the problem to answer, or null when the request may proceed.
 */
export async function refuseDirectorRead(
  c: Context,
  deps: { db: Db; resolveUser: UserResolver },
  vin: string,
): Promise<ProblemError | null> {
  const header = c.req.header('authorization');
  const claimed = header ? claimedVehicle(header) : null;
  if (claimed === null) {
    const user = await deps.resolveUser(header);
    if (typeof user === 'object') return null;
    return unauthorized(
      user === 'missing'
        ? 'Director metadata is for its vehicle (OTA-Vehicle signature) or an API user (Bearer token)'
        : 'the API token is unknown or revoked',
    );
  }
  if (claimed !== vin) {
    return new ProblemError(403, 'forbidden', 'Forbidden', 'a vehicle reads only its own Director metadata');
  }
  const vehicle = await deps.db
    .selectFrom('vehicles')
    .select('gateway_public_key')
    .where('vin', '=', vin)
    .executeTakeFirst();
  const keyHex = vehicle?.gateway_public_key ? gatewayKeyToHex(vehicle.gateway_public_key) : null;
  if (!keyHex) return unauthorized('this vehicle has no registered gateway key');
  const result = verifyVehicleAuthorization(header!, { method: c.req.method, path: c.req.path }, keyHex);
  if (result === 'ok') return null;
  return unauthorized(
    result === 'stale'
      ? 'the signature time is too far from the server clock'
      : 'the signature does not verify with the vehicle key',
  );
}
