import { z } from 'zod';

/** ISO 3779 vehicle identification number: 17 characters, digits and capitals except I, O, Q. */
export const VinSchema = z
  .string()
  .regex(/^[A-HJ-NPR-Z0-9]{17}$/, 'expected a 17-character VIN (0-9, A-Z without I, O, Q)');
export type Vin = z.infer<typeof VinSchema>;

/** ECU serial numbers travel in topic-free payloads, but are kept printable and bounded. */
export const EcuSerialSchema = z.string().regex(/^[\x21-\x7e]{1,64}$/, 'expected 1-64 printable ASCII characters');
