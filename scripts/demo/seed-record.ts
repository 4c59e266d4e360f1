// demo.json: what the seed created, written step by step so a restart skips what is done. It holds the users'
// API tokens in plain text (the backend keeps only their SHA-256): a convenience of the local demo, which is
// why the file is mode 0600 and lives in the gitignored data directory.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

export const DEMO_ROLES = [
  'admin',
  'campaign_manager',
  'approver',
  'security_engineer',
  'release_engineer',
  'auditor',
] as const;

const seededUser = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  role: z.enum(DEMO_ROLES),
  token: z.string().min(1),
});
export type SeededUser = z.infer<typeof seededUser>;

const seededRelease = z.strictObject({
  ecu: z.string(),
  hardwareId: z.string(),
  fromVersion: z.string(),
  version: z.string(),
  releaseId: z.number().int(),
});
export type SeededRelease = z.infer<typeof seededRelease>;

const seedRecordSchema = z.strictObject({
  /** The vehicle file the fleet was made from: a restart must not switch ECU sizes under the state. */
  template: z.enum(['example', 'small']),
  users: z.array(seededUser).optional(),
  vulnerabilityId: z.number().int().optional(),
  releases: z.array(seededRelease).optional(),
});
export type SeedRecord = z.infer<typeof seedRecordSchema>;

export function readSeedRecord(file: string): SeedRecord | null {
  if (!existsSync(file)) return null;
  const parsed = seedRecordSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is damaged (${parsed.error.message}); start again with --reset`);
  return parsed.data;
}

export function writeSeedRecord(file: string, record: SeedRecord): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}
