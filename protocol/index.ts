/**
 * What both ends of the backend-gateway wire agree on. Pure code, no I/O.
 * The delta codec has its own entry point, `protocol/delta/index.ts`.
 */
export * from './tuf/index.ts';
export * from './uptane/index.ts';
export * from './manifest/index.ts';
export * from './messages/index.ts';
export { EcuSerialSchema, VinSchema } from './vin.ts';
export type { Vin } from './vin.ts';
