import type { VehicleLifecycle } from './types.ts';

/** Legal fleet lifecycle moves; end_of_life is final. */
export const LIFECYCLE_TRANSITIONS: Record<VehicleLifecycle, readonly VehicleLifecycle[]> = {
  active: ['isolated', 'ownership_transferred', 'end_of_life'],
  isolated: ['active', 'end_of_life'],
  ownership_transferred: ['active', 'isolated', 'end_of_life'],
  end_of_life: [],
};

/** Isolated and end-of-life vehicles are never targeted by a campaign. */
export const UNTARGETABLE_LIFECYCLES: readonly VehicleLifecycle[] = ['isolated', 'end_of_life'];

export function canMoveLifecycle(from: VehicleLifecycle, to: VehicleLifecycle): boolean {
  return LIFECYCLE_TRANSITIONS[from].includes(to);
}
