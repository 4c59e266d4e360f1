import type { Db } from '../db/database.ts';
import { PUBLISHED_RELEASE_STATES } from './image-repository.ts';

/**
 * Whether a blob may be handed to vehicles: an image of an authorised release or a cached delta
 * package. The blob store holds more (images of releases still in test); those stay private.
 */
export async function isServableBlob(db: Db, sha256: string): Promise<boolean> {
  const delta = await db.selectFrom('delta_packages').select('sha256').where('sha256', '=', sha256).executeTakeFirst();
  if (delta) return true;
  const image = await db
    .selectFrom('release_images as i')
    .innerJoin('releases as r', 'r.id', 'i.release_id')
    .select('i.sha256')
    .where('i.sha256', '=', sha256)
    .where('r.state', 'in', [...PUBLISHED_RELEASE_STATES])
    .executeTakeFirst();
  return image !== undefined;
}
