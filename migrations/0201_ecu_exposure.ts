import { sql } from 'kysely';
import type { Kysely } from 'kysely';

// How an ECU can be reached (issue 15): `connected` (an external interface: cellular, Wi-Fi,
// Bluetooth, V2X) or `internal_bus` (only over the vehicle's CAN/Ethernet); NULL when not known.
// With the ASIL it fills the CVSS environmental metrics per ECU context.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE ecus ADD COLUMN exposure text CHECK (exposure IN ('connected','internal_bus'))`.execute(db);
}
