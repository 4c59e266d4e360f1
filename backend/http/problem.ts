import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { classifyDatabaseError } from './database-errors.ts';
import type { DatabaseFailure } from './database-errors.ts';

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
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 500 | 503,
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

/** A problem+json response; a 503 carries its `retryAfterSeconds` as Retry-After. */
export function problemResponse(c: Context, body: ProblemBody): Response {
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (body.status === 503 && typeof body.retryAfterSeconds === 'number')
    headers['retry-after'] = String(body.retryAfterSeconds);
  return c.body(JSON.stringify(body), body.status as 400, headers);
}

/** Seconds a client is told to wait (Retry-After) while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** A refused value: the detail and `errors` name the fields when the database said which. */
function refused(status: 409 | 422, slug: string, title: string, message: string, fields: string[]): ProblemError {
  const detail = fields.length ? `${fields.join(', ')}: ${message}` : message;
  return new ProblemError(status, slug, title, detail, { errors: fields.map((field) => ({ field, message })) });
}

/** The client's view of a database failure: a 4xx naming the field where known, or a 503 to retry. */
function problemFromDatabase(failure: DatabaseFailure): ProblemError {
  switch (failure.kind) {
    case 'unavailable':
      return new ProblemError(
        503,
        'service-unavailable',
        'Service unavailable',
        'the database is unreachable; try again shortly',
        { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
      );
    case 'retry':
      return new ProblemError(503, 'busy', 'Busy', 'the request collided with another; try again', {
        retryAfterSeconds: 1,
      });
    case 'duplicate':
      return refused(409, 'duplicate', 'Conflict', 'already exists', failure.fields);
    case 'unknown-reference':
      return refused(
        422,
        'unknown-reference',
        'Unknown reference',
        'refers to something that does not exist',
        failure.fields,
      );
    case 'invalid':
      return refused(422, 'validation-error', 'Invalid request', 'value not accepted', failure.fields);
  }
}

/**
 * The problem a thrown error becomes. Database failures are mapped without their SQLSTATE or driver
 * text; anything unexpected is an opaque 500 (the caller logs it with the request id).
 */
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
  const failure = classifyDatabaseError(err);
  if (failure) return problemFromDatabase(failure).toBody();
  return new ProblemError(500, 'internal', 'Internal error', 'the server failed to handle the request').toBody();
}
