import { z } from '@hono/zod-openapi';
import type { RouteConfig } from '@hono/zod-openapi';
import type { Role } from '../users/types.ts';
import { requireRoles } from './auth.ts';
import { pageOf } from './pagination.ts';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

/** Standard error responses every authenticated route can give. */
const errorResponses = {
  400: problem('malformed request'),
  401: problem('missing or unknown API token'),
  403: problem('the user lacks the role this action needs'),
  404: problem('not found'),
  409: problem('illegal state transition or conflict'),
  422: problem('invalid body, query or path (the field is named)'),
} as const;

/**
 * An authenticated route guarded by roles. The roles are also published in the OpenAPI document
 * as `x-roles`, which is what the role tests walk so that no route escapes them.
 */
export function securedRoute<const R extends Omit<RouteConfig, 'middleware'>>(roles: readonly Role[], config: R) {
  return {
    ...config,
    middleware: requireRoles(roles),
    security: [{ bearerAuth: [] }],
    'x-roles': roles,
    responses: { ...errorResponses, ...config.responses },
  };
}

/** A JSON success response; bodies are documented by schema. */
export function jsonResponse<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** The response of a list route: a page of `item` (items and nextCursor). */
export function pageResponse<S extends z.ZodType>(item: S, description = 'a page') {
  return jsonResponse(pageOf(item), description);
}

export function jsonBody<S extends z.ZodType>(schema: S) {
  return { required: true, content: { 'application/json': { schema } } };
}

export const IdParam = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'id', in: 'path' } }),
});

export const Reason = z.string().trim().min(1).max(2000).openapi({ description: 'why (recorded in the audit log)' });
