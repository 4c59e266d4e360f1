// What a database error means for the client, decided from its SQLSTATE and the fields node-postgres
// attaches. The driver's own text never reaches a client: it names tables, constraints and values.

/** How a failed query is answered; `fields` are API field names (camelCase) where the column is known. */
export type DatabaseFailure =
  | { kind: 'unavailable' }
  | { kind: 'retry' }
  | { kind: 'duplicate'; fields: string[] }
  | { kind: 'unknown-reference'; fields: string[] }
  | { kind: 'invalid'; fields: string[] };

interface PgErrorFields {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
  table?: unknown;
  column?: unknown;
  constraint?: unknown;
  errors?: unknown;
  cause?: unknown;
}

/** SQLSTATEs of a server that is gone, starting, shutting down or full. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '53400']);
/** Socket errors of a connection that could not be made or was cut. */
const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** node-postgres and pg-pool report a lost or impossible connection with these messages (no code). */
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout|Connection ended)/;

function isUnavailable(error: PgErrorFields, depth = 0): boolean {
  if (depth > 3) return false;
  const code = typeof error.code === 'string' ? error.code : '';
  if (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_SOCKET_CODES.has(code)) return true;
  if (typeof error.message === 'string' && UNAVAILABLE_MESSAGE.test(error.message)) return true;
  // A host name with several addresses fails with an AggregateError of one refusal per address.
  const nested = [...(Array.isArray(error.errors) ? error.errors : []), error.cause];
  return nested.some((e) => typeof e === 'object' && e !== null && isUnavailable(e as PgErrorFields, depth + 1));
}

const camel = (column: string) => column.trim().replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());

/** `Key (release_id, sha256)=(...) already exists.` names the key's columns. */
function keyColumns(detail: unknown): string[] {
  const match = typeof detail === 'string' ? /^Key \(([^)]+)\)=/.exec(detail) : null;
  return match?.[1] ? match[1].split(',').map(camel) : [];
}

/** A check constraint named `<table>_<column>_check` (PostgreSQL's default) is about that column. */
function checkedColumn(error: PgErrorFields): string[] {
  if (typeof error.column === 'string') return [camel(error.column)];
  if (typeof error.constraint !== 'string' || typeof error.table !== 'string') return [];
  const prefix = `${error.table}_`;
  const name = error.constraint;
  if (!name.startsWith(prefix) || !name.endsWith('_check') || name.length <= prefix.length + 6) return [];
  return [camel(name.slice(prefix.length, -'_check'.length))];
}

/** The meaning of a database error, or undefined when it is not one (or one that is our bug: a 500). */
export function classifyDatabaseError(err: unknown): DatabaseFailure | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const error = err as PgErrorFields;
  if (isUnavailable(error)) return { kind: 'unavailable' };
  const code = typeof error.code === 'string' ? error.code : '';
  if (code === '40001' || code === '40P01') return { kind: 'retry' };
  if (code === '23505') return { kind: 'duplicate', fields: keyColumns(error.detail) };
  if (code === '23503') return { kind: 'unknown-reference', fields: keyColumns(error.detail) };
  if (code === '23502' || code === '23514') return { kind: 'invalid', fields: checkedColumn(error) };
  // Class 22, data exception: a value the column's type does not accept (bad number, date, enum, NUL...).
  if (/^22[0-9A-Z]{3}$/.test(code)) return { kind: 'invalid', fields: checkedColumn(error) };
  return undefined;
}
