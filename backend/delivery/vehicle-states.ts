import type { VehicleCampaignState } from '../db/schema.ts';
import type { EcuOutcome } from '../../protocol/messages/ecu-result.ts';
import type { z } from 'zod';
import type { UpdatePhaseSchema } from '../../protocol/messages/payloads.ts';

type UpdatePhase = z.infer<typeof UpdatePhaseSchema>;

/** States from which delivery reports no longer move a vehicle. */
export const TERMINAL_STATES = [
  'succeeded',
  'failed',
  'rolled_back',
  'rollback_failed',
  'incompatible',
  'cancelled',
  'expired',
] as const satisfies readonly VehicleCampaignState[];

/** Failure states counted against a wave's error threshold. */
export const FAILURE_STATES = [
  'failed',
  'rolled_back',
  'rollback_failed',
] as const satisfies readonly VehicleCampaignState[];

/** Order of the non-terminal states: a progress report only ever moves a vehicle forward. */
export const PROGRESS_RANK: Readonly<
  Record<'pending' | 'offered' | 'downloading' | 'downloaded' | 'installing', number>
> = {
  pending: 0,
  offered: 1,
  downloading: 2,
  downloaded: 3,
  installing: 4,
};

/** The vehicle state a gateway's update phase means. */
export function stateOfPhase(phase: UpdatePhase): 'downloading' | 'downloaded' | 'installing' {
  switch (phase) {
    case 'downloading':
      return 'downloading';
    case 'verifying':
    case 'rebuilding':
      return 'downloaded';
    case 'flashing':
    case 'activating':
    case 'rolling_back':
      return 'installing';
  }
}

/** The vehicle state a gateway's final outcome means. */
export function stateOfOutcome(outcome: EcuOutcome): 'succeeded' | 'failed' | 'rolled_back' | 'rollback_failed' {
  return outcome === 'success' ? 'succeeded' : outcome;
}
