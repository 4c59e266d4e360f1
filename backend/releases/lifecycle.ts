import type { ReleaseState } from './types.ts';

/** IEC 62443-2-3 patch states: supplier side, then OEM side. Authorisation has its own route. */
export const RELEASE_TRANSITIONS: Record<ReleaseState, readonly ReleaseState[]> = {
  available: ['in_test'],
  in_test: ['approved', 'not_approved', 'not_applicable'],
  approved: ['released'],
  not_approved: [],
  not_applicable: [],
  released: ['in_internal_test'],
  in_internal_test: ['authorized', 'not_authorized'],
  authorized: ['effective'],
  not_authorized: [],
  effective: [],
};

/** The decisions an approver makes on a release under internal test. */
export const AUTHORIZATION_DECISIONS = ['authorized', 'not_authorized'] as const;
export type AuthorizationDecision = (typeof AUTHORIZATION_DECISIONS)[number];

/** Images are attached while the release is still being put together, before any test. */
export const IMAGE_UPLOAD_STATES: readonly ReleaseState[] = ['available'];

/** The states whose entry needs test evidence (a report reference and the test log's hash). */
export const EVIDENCE_STAGES = ['approved', 'authorized'] as const satisfies readonly ReleaseState[];
export type EvidenceStage = (typeof EVIDENCE_STAGES)[number];

/** States in which the safety impact analysis may still be recorded: before the OEM's decision. */
export const SAFETY_ANALYSIS_STATES: readonly ReleaseState[] = [
  'available',
  'in_test',
  'approved',
  'released',
  'in_internal_test',
];

/** Releases a campaign may install. */
export const CAMPAIGN_READY_STATES: readonly ReleaseState[] = ['authorized', 'effective'];

/** Safety-relevant hardware: an ECU rated ASIL A to D (QM is not safety-relevant). */
export const SAFETY_ASIL = ['A', 'B', 'C', 'D'] as const;
