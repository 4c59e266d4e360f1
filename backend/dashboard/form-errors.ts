import type { z } from '@hono/zod-openapi';
import { ProblemError } from '../http/problem.ts';
import { humanize } from './format.ts';

// A form refused by the API's own schema or service is shown again with what was typed, and each
// message names the field as the form labels it ("Version: letters, digits ..."), never an API path.

/** The form's label of each API field, by its path without the `json.`/`query.` prefix. */
export type FieldLabels = Record<string, string>;

/** A refused form: the messages to show above it, each starting with a field's label. */
export class FormError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join('; '));
  }
}

function labelOf(path: string, labels: FieldLabels): string {
  const bare = path.replace(/^(json|query|body|form)\./, '');
  if (labels[bare]) return labels[bare];
  // An item of a list (affected.0.versions.1) is labelled by its nearest labelled parent.
  const parent = Object.keys(labels)
    .filter((key) => bare.startsWith(`${key}.`))
    .sort((a, b) => b.length - a.length)[0];
  return parent ? (labels[parent] ?? bare) : bare;
}

/** Zod's wording made plain; a schema's own message (e.g. a regex's) is kept. */
function plainMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      return issue.minimum === 1 && issue.origin === 'string' ? 'required' : `at least ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `at most ${String(issue.maximum)} characters`
        : `at most ${String(issue.maximum)}`;
    case 'invalid_value':
      return `choose one of ${issue.values.map((v) => humanize(String(v))).join(', ')}`;
    case 'invalid_type':
      return issue.input === undefined ? 'required' : `expected ${issue.expected}`;
    case 'invalid_format':
      return issue.format === 'datetime' ? 'a date and time' : issue.message;
    default:
      return issue.message;
  }
}

/** Parses form values with the schema the API route validates with; refusals name the labelled fields. */
export function parseForm<S extends z.ZodType>(schema: S, value: unknown, labels: FieldLabels): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new FormError(
    result.error.issues.map((issue) => `${labelOf(issue.path.map(String).join('.'), labels)}: ${plainMessage(issue)}`),
  );
}

/** A service's refusal as the form shows it: its fields relabelled, other problems (a 409) as they are. */
export function formMessages(err: ProblemError | FormError, labels: FieldLabels): string[] {
  if (err instanceof FormError) return err.messages;
  const fields = err.extensions.errors as { field: string; message: string }[] | undefined;
  if (!fields?.length) return [err.message];
  return fields.map((f) => `${labelOf(f.field, labels)}: ${f.message}`);
}

/** Runs a form's action; a refusal (FormError or a 4xx ProblemError) comes back as labelled messages. */
export async function attempt<T>(
  labels: FieldLabels,
  action: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; messages: string[] }> {
  try {
    return { ok: true, value: await action() };
  } catch (err) {
    if (err instanceof FormError || (err instanceof ProblemError && err.status < 500)) {
      return { ok: false, messages: formMessages(err, labels) };
    }
    throw err;
  }
}

/** The string fields of a parsed form body, trimmed (files and repeated fields left to the caller). */
export function textFields(form: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(form)) {
    if (typeof value === 'string') out[key] = value.trim();
    else if (Array.isArray(value) && typeof value[0] === 'string') out[key] = value[0].trim();
  }
  return out;
}

/** An optional text field: empty means absent. */
export const optional = (value: string | undefined): string | undefined => (value ? value : undefined);
