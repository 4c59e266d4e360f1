// What a gateway's reports mean as vehicle states. Which moves are legal is the domain's business
// (backend/campaigns/states.ts).
import type { z } from 'zod';
import type { UpdatePhaseSchema } from '@ota/protocol/messages';

type UpdatePhase = z.infer<typeof UpdatePhaseSchema>;

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
