import { z } from '@hono/zod-openapi';

/** An identifier-like value (hardware id, version, serial, region, tag): letters, digits and . _ : + - */
export const label = (max = 64) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[\w.:+-]+$/, 'letters, digits and . _ : + - only');

/** Free text, trimmed, 1 to `max` characters. */
export const text = (max: number) => z.string().trim().min(1).max(max);
