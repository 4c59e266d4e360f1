// The fleet domain's vocabulary.
export const VEHICLE_LIFECYCLES = ['active', 'isolated', 'ownership_transferred', 'end_of_life'] as const;
export type VehicleLifecycle = (typeof VEHICLE_LIFECYCLES)[number];

export const ASIL_RATINGS = ['QM', 'A', 'B', 'C', 'D'] as const;
export type Asil = (typeof ASIL_RATINGS)[number];
/** How an ECU can be reached: over an external interface, or only over the vehicle's internal bus. */
export const ECU_EXPOSURES = ['connected', 'internal_bus'] as const;
export type EcuExposure = (typeof ECU_EXPOSURES)[number];
