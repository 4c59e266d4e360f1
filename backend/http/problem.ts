import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';

/** RFC 9457 problem details; `errors` names each offending field for validation failures. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
  [extension: string]: unknown;
}

export class ProblemError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 500,
    readonly slug: string,
    readonly title: string,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
  }
  toBody(): ProblemBody {
    return {
      type: `https://ota.example/problems/${this.slug}`,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...this.extensions,
    };
  }
}

export const notFound = (what: string, id: string | number): ProblemError =>
  new ProblemError(404, 'not-found', 'Not found', `${what} ${id} does not exist`);

export const illegalTransition = (what: string, from: string, to: string, why?: string): ProblemError =>
  new ProblemError(
    409,
    'illegal-transition',
    'Illegal state transition',
    `${what} cannot go from ${from} to ${to}${why ? `: ${why}` : ''}`,
    { from, to },
  );

export const conflict = (detail: string, slug = 'conflict'): ProblemError =>
  new ProblemError(409, slug, 'Conflict', detail);

export const invalid = (field: string, message: string): ProblemError =>
  new ProblemError(422, 'validation-error', 'Invalid request', `${field}: ${message}`, {
    errors: [{ field, message }],
  });

export function problemResponse(c: Context, body: ProblemBody): Response {
  return c.body(JSON.stringify(body), body.status as 400, { 'content-type': 'application/problem+json' });
}

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
  column?: string;
}

/** Maps database constraint failures to 409/422 problems; anything else becomes an opaque 500. */
export function problemFromError(err: unknown): ProblemBody {
  if (err instanceof ProblemError) return err.toBody();
  if (err instanceof HTTPException && err.status < 500) {
    return {
      type: 'https://ota.example/problems/bad-request',
      title: 'Bad request',
      status: err.status,
      detail: err.message || 'the request could not be read',
    };
  }
  const pgErr = err as PgError;
  switch (pgErr.code) {
    case '23505':
      return conflict(`already exists (${pgErr.constraint ?? 'unique constraint'})`, 'duplicate').toBody();
    case '23503':
      return new ProblemError(
        422,
        'unknown-reference',
        'Unknown reference',
        `refers to something that does not exist (${pgErr.constraint ?? 'foreign key'})`,
      ).toBody();
    case '23514':
    case '22P02':
    case '22007':
    case '22008':
      return new ProblemError(
        422,
        'validation-error',
        'Invalid request',
        `rejected by the database (${pgErr.constraint ?? pgErr.code})`,
      ).toBody();
    default:
      return new ProblemError(500, 'internal', 'Internal error', 'the server failed to handle the request').toBody();
  }
}
