import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { BlobStore } from '../blobs/store.ts';
import type { KeySet } from '../keys/key-set.ts';
import type { Db } from '../db/database.ts';
import type { DeadlinePolicy } from '../vulnerabilities/deadline-policy.ts';
import type { Actor } from '../audit/service.ts';
import type { ApiOperation, ApiRegistry, ApiRoles } from './api-roles.ts';
import type { DashboardEnv } from './session.ts';
import type { AuthUser } from '../http/auth.ts';
import type { PageShell } from './layout.tsx';

/** What every group of pages gets. */
export interface PageContext {
  db: Db;
  roles: ApiRoles;
  api: ApiRegistry;
  now: () => Date;
  deadlinePolicy: DeadlinePolicy | undefined;
  liveIntervalMs: number;
  /** Where uploaded release images go, and the largest accepted (the API's limit). */
  images: { blobs: BlobStore; maxBytes: number };
  /** Signing keys when this process holds them: an authorisation then re-signs the Image repository. */
  keys: KeySet | undefined;
}

export type DashboardApp = Hono<DashboardEnv>;

/** A page or action is open to the roles of the API operation it mirrors; others get 403. */
export function requireOperation(roles: ApiRoles, operation: ApiOperation): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    if (!roles.allows(c.get('user'), operation)) {
      return c.text(`Your roles do not allow this (it needs one of: ${roles.rolesFor(operation).join(', ')}).`, 403);
    }
    await next();
  };
}

/** The signed-in user and CSRF token every page is rendered with: `<XPage {...pageShell(c)} ... />`. */
export function pageShell(c: Context<DashboardEnv>): PageShell {
  return { user: c.get('user'), csrf: c.get('csrf') };
}

export function actorFor(user: AuthUser): Actor {
  return { userId: user.id, name: user.name };
}
