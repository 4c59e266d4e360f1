import type { Context } from 'hono';
import type { Actor } from '../audit/service.ts';
import type { AppEnv } from './auth.ts';

export function actorOf(c: Context<AppEnv>): Actor {
  const user = c.get('user');
  return { userId: user.id, name: user.name };
}
