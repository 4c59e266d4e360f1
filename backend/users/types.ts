// The users domain's vocabulary.
export const ROLES = [
  'campaign_manager',
  'security_engineer',
  'release_engineer',
  'approver',
  'auditor',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];
