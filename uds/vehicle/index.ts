// The public vehicle definition format (what a tester may know about the ECUs), apart from the rest of
// uds/ so that a program can parse vehicle files without loading the CAN and UDS code.
export {
  checkEcuUniqueness,
  ECU_ACCESS_METHODS,
  knownCanIdsSchema,
  publicEcuSchema,
  publicVehicleSchema,
  vinSchema,
} from './definition-schema.ts';
export type {
  Addressing,
  EcuAccessMethod,
  FlashLayout,
  FlashRegion,
  PublicEcuDefinition,
  PublicVehicleDefinition,
} from './definition-schema.ts';
