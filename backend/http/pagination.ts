import { z } from '@hono/zod-openapi';
import { ProblemError } from './problem.ts';

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).openapi({ description: 'page size (1..500)' }),
  cursor: z.string().max(200).optional().openapi({ description: 'nextCursor of the previous page' }),
});
export type PageQuery = z.infer<typeof PageQuery>;

/** The query of a list route: the page's limit and cursor, and the list's own filters. */
export const listQuery = <S extends z.ZodRawShape>(filters: z.ZodObject<S>) => PageQuery.extend(filters.shape);

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The response schema of a Page of `item`. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** Cursors are opaque: the sort key of the last item, base64url-encoded JSON. */
export function decodeCursor<K extends string | number>(
  cursor: string | undefined,
  kind: 'string' | 'number',
): K | null {
  if (cursor === undefined) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // A string key holding U+0000 is no key this API handed out (and PostgreSQL cannot compare it).
    if (typeof value === kind && !(typeof value === 'string' && value.includes('\u0000'))) return value as K;
  } catch {
    // fall through to the problem below
  }
  throw new ProblemError(400, 'invalid-cursor', 'Invalid cursor', 'cursor: not a cursor returned by this list', {
    errors: [{ field: 'cursor', message: 'not a cursor returned by this list' }],
  });
}

/** Services fetch limit + 1 rows; the extra row only tells whether another page exists. */
export function toPage<R, T>(rows: R[], limit: number, key: (row: R) => string | number, map: (row: R) => T): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(map),
    nextCursor:
      rows.length > limit && last !== undefined ? Buffer.from(JSON.stringify(key(last))).toString('base64url') : null,
  };
}

/** toPage for items that each need further queries: `load` runs for one item after another. */
export async function toLoadedPage<R, T>(
  rows: R[],
  limit: number,
  key: (row: R) => string | number,
  load: (row: R) => Promise<T>,
): Promise<Page<T>> {
  const page = toPage(rows, limit, key, (row) => row);
  const items: T[] = [];
  for (const row of page.items) items.push(await load(row));
  return { items, nextCursor: page.nextCursor };
}

/** toLoadedPage for rows paged by their numeric id. */
export function toLoadedPageById<R extends { id: number }, T>(
  rows: R[],
  limit: number,
  load: (row: R) => Promise<T>,
): Promise<Page<T>> {
  return toLoadedPage(rows, limit, (row) => row.id, load);
}
