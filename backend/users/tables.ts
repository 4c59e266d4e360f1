import type { Generated } from 'kysely';
import type { TableColumns } from '../db/column-manifest.ts';
import type { CreatedAt, Timestamp } from '../db/column-types.ts';
import type { Role } from './types.ts';

// Row types of the tables migrations/0001 and 0301 create for users and their API tokens.
export interface UsersTable {
  id: Generated<number>;
  name: string;
  roles: Role[];
  created_at: CreatedAt;
  /** Set while the user is disabled: none of their tokens authenticates. */
  disabled_at: Timestamp | null;
}
export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_sha256: string;
  created_at: CreatedAt;
  revoked_at: Timestamp | null;
}

export interface UserTables {
  users: UsersTable;
  api_tokens: ApiTokensTable;
}

export const USER_COLUMNS = {
  users: { id: 'int4', name: 'text', roles: 'text[]', created_at: 'timestamptz', disabled_at: 'timestamptz null' },
  api_tokens: {
    id: 'int4',
    user_id: 'int4',
    name: 'text',
    token_sha256: 'text',
    created_at: 'timestamptz',
    revoked_at: 'timestamptz null',
  },
} as const satisfies TableColumns<UserTables>;
