import { ProblemError } from '../http/problem.ts';

/** A positive integer path parameter, else the dashboard's 404 (like an unknown record's). */
export function pathId(raw: string, what: string): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) throw new ProblemError(404, 'not-found', 'Not found', `no ${what} ${raw}`);
  return id;
}
