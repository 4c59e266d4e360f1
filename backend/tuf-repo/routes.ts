import { Hono } from 'hono';
import type { Context } from 'hono';
import type { BlobStore } from '../blobs/store.ts';
import type { Db } from '../db/database.ts';
import { problemResponse } from '../http/problem.ts';
import { parseByteRange } from './byte-range.ts';
import { refuseDirectorRead } from './director-access.ts';
import type { UserResolver } from './director-access.ts';
import { latestMetadata, metadataVersion } from './metadata-store.ts';
import { isServableBlob } from './servable.ts';
import type { Repository } from './metadata-store.ts';

export interface TufRoutesDeps {
  db: Db;
  blobs: BlobStore;
  /** The API's token check: users may read any vehicle's Director metadata. */
  resolveUser: UserResolver;
}

const VERSIONED = /^(\d{1,9})\.(root|snapshot|targets)\.json$/;
const TARGET_FILE = /^([0-9a-f]{64})\.[A-Za-z0-9._-]+$/;
const VIN = /^[A-HJ-NPR-Z0-9]{17}$/;
const ROOT_FILE = /^(\d{1,9}\.)?root\.json$/;

/** Serves bytes whole or, for a `Range` request, the part asked for (so a download can resume). */
function serveBytes(c: Context, bytes: Uint8Array, contentType: string): Response {
  const headers: Record<string, string> = {
    'content-type': contentType,
    'accept-ranges': 'bytes',
    'cache-control': 'no-store',
  };
  let range;
  try {
    range = parseByteRange(c.req.header('range'), bytes.length);
  } catch (error) {
    return c.text((error as Error).message, 400);
  }
  if (range === 'unsatisfiable') {
    return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${bytes.length}` } });
  }
  if (range === undefined)
    return new Response(bytes, { status: 200, headers: { ...headers, 'content-length': String(bytes.length) } });
  const part = bytes.subarray(range.start, range.end + 1);
  return new Response(part, {
    status: 206,
    headers: {
      ...headers,
      'content-length': String(part.length),
      'content-range': `bytes ${range.start}-${range.end}/${bytes.length}`,
    },
  });
}

async function metadataFile(
  db: Db,
  repository: Repository,
  scope: string,
  file: string,
): Promise<Uint8Array | undefined> {
  if (file === 'timestamp.json') return (await latestMetadata(db, repository, scope, 'timestamp'))?.bytes;
  if (file === 'root.json') return (await latestMetadata(db, repository, '', 'root'))?.bytes;
  const match = VERSIONED.exec(file);
  if (!match) return undefined;
  const role = match[2] as 'root' | 'snapshot' | 'targets';
  return metadataVersion(db, repository, role === 'root' ? '' : scope, role, Number(match[1]));
}

/**
 * Read-only TUF repositories in the standard consistent-snapshot layout:
 *   /image/{N.root.json, root.json, timestamp.json, N.snapshot.json, N.targets.json, targets/<sha256>.<name>}
 *   /director/<VIN>/{N.root.json, root.json, timestamp.json, N.snapshot.json, N.targets.json}
 * Mount under /tuf. Every file answers byte-range requests. A vehicle's Director timestamp, snapshot
 * and targets are read only by that vehicle or an API user (director-access.ts).
 */
export function tufRoutes(deps: TufRoutesDeps): Hono {
  const app = new Hono();
  app.get('/image/targets/:file', async (c) => {
    const match = TARGET_FILE.exec(c.req.param('file'));
    if (!match) return c.text('target file names are <sha256>.<name>', 404);
    const sha256 = match[1]!;
    const bytes = (await isServableBlob(deps.db, sha256)) ? await deps.blobs.get(sha256) : null;
    return bytes ? serveBytes(c, bytes, 'application/octet-stream') : c.text('no such target', 404);
  });
  app.get('/image/:file', async (c) => {
    const bytes = await metadataFile(deps.db, 'image', '', c.req.param('file'));
    return bytes ? serveBytes(c, bytes, 'application/json') : c.text('no such metadata', 404);
  });
  app.get('/director/:vin/:file', async (c) => {
    const vin = c.req.param('vin');
    if (!VIN.test(vin)) return c.text('not a VIN', 404);
    const file = c.req.param('file');
    // The Director's root is the same for every vehicle (keys only) and is how vehicles are
    // provisioned; timestamp, snapshot and targets name this vehicle's ECUs and campaign.
    if (!ROOT_FILE.test(file)) {
      const refused = await refuseDirectorRead(c, deps, vin);
      if (refused) return problemResponse(c, refused.toBody());
    }
    const bytes = await metadataFile(deps.db, 'director', vin, file);
    return bytes ? serveBytes(c, bytes, 'application/json') : c.text('no such metadata', 404);
  });
  return app;
}
