// The releases domain's vocabulary.
export const RELEASE_STATES = [
  'available',
  'in_test',
  'approved',
  'not_approved',
  'not_applicable',
  'released',
  'in_internal_test',
  'authorized',
  'not_authorized',
  'effective',
] as const;
export type ReleaseState = (typeof RELEASE_STATES)[number];
