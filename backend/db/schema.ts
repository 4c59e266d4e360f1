import type { AuditTables } from '../audit/tables.ts';
import { AUDIT_COLUMNS } from '../audit/tables.ts';
import type { CampaignTables, CampaignViews } from '../campaigns/tables.ts';
import { CAMPAIGN_COLUMNS } from '../campaigns/tables.ts';
import type { DeliveryTables } from '../delivery/tables.ts';
import { DELIVERY_COLUMNS } from '../delivery/tables.ts';
import type { FleetTables } from '../fleet/tables.ts';
import { FLEET_COLUMNS } from '../fleet/tables.ts';
import type { ReleaseTables } from '../releases/tables.ts';
import { RELEASE_COLUMNS } from '../releases/tables.ts';
import type { SecurityEventTables } from '../security-events/tables.ts';
import { SECURITY_EVENT_COLUMNS } from '../security-events/tables.ts';
import type { TufRepoTables } from '../tuf-repo/tables.ts';
import { TUF_REPO_COLUMNS } from '../tuf-repo/tables.ts';
import type { UserTables } from '../users/tables.ts';
import { USER_COLUMNS } from '../users/tables.ts';
import type { VulnerabilityTables } from '../vulnerabilities/tables.ts';
import { VULNERABILITY_COLUMNS } from '../vulnerabilities/tables.ts';
import type { ColumnManifest, TableColumns } from './column-manifest.ts';

/** Every base table migrations/ creates: each domain declares its own in `<domain>/tables.ts`. */
export interface Tables
  extends
    UserTables,
    AuditTables,
    FleetTables,
    VulnerabilityTables,
    ReleaseTables,
    CampaignTables,
    TufRepoTables,
    DeliveryTables,
    SecurityEventTables {}

/** The tables and the views (read like tables) that migrations/ creates. */
export interface Database extends Tables, CampaignViews {}

/** The PostgreSQL type of every column of the base tables, which the schema drift test compares with the migrations. */
export const DATABASE_COLUMNS: ColumnManifest = {
  ...USER_COLUMNS,
  ...AUDIT_COLUMNS,
  ...FLEET_COLUMNS,
  ...VULNERABILITY_COLUMNS,
  ...RELEASE_COLUMNS,
  ...CAMPAIGN_COLUMNS,
  ...TUF_REPO_COLUMNS,
  ...DELIVERY_COLUMNS,
  ...SECURITY_EVENT_COLUMNS,
} satisfies TableColumns<Tables>;
