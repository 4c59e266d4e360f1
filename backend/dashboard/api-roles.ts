import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Role } from '../users/types.ts';
import type { AppEnv, AuthUser } from '../http/auth.ts';

/**
 * The part of the API app the dashboard uses: its OpenAPI registry, where each route lists `x-roles`,
 * and `request`, for the few pages that hand the API's own response through (evidence downloads).
 */
export type ApiRegistry = Pick<OpenAPIHono<AppEnv>, 'openAPIRegistry' | 'request'>;

export type ApiOperation = `${'get' | 'post' | 'put' | 'patch' | 'delete'} /api/${string}`;

/**
 * The dashboard offers a page or an action exactly to the roles the matching API route admits: it
 * reads them from the API's own route definitions (the `x-roles` that securedRoute publishes), so the
 * two can never disagree. An operation the API does not have is allowed to nobody.
 */
export class ApiRoles {
  #byOperation: Map<string, readonly Role[]> | null = null;
  constructor(private readonly api: ApiRegistry) {}

  rolesFor(operation: ApiOperation): readonly Role[] {
    // Read lazily: routes may be registered after the dashboard is created.
    if (!this.#byOperation || !this.#byOperation.has(operation)) this.#byOperation = this.#read();
    return this.#byOperation.get(operation) ?? [];
  }

  has(operation: ApiOperation): boolean {
    return this.rolesFor(operation).length > 0;
  }

  allows(user: AuthUser, operation: ApiOperation): boolean {
    const roles = this.rolesFor(operation);
    return user.roles.some((r) => roles.includes(r));
  }

  /** Every API operation open to `role`, e.g. "post /api/users", in registration order. */
  operationsOf(role: Role): string[] {
    this.#byOperation = this.#read();
    return [...this.#byOperation].filter(([, roles]) => roles.includes(role)).map(([op]) => op);
  }

  #read(): Map<string, readonly Role[]> {
    const map = new Map<string, readonly Role[]>();
    for (const def of this.api.openAPIRegistry.definitions) {
      if (def.type !== 'route') continue;
      const roles = (def.route as { 'x-roles'?: readonly Role[] })['x-roles'];
      if (roles) map.set(`${def.route.method} ${def.route.path}`, roles);
    }
    return map;
  }
}
