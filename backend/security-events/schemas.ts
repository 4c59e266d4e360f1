import { z } from '@hono/zod-openapi';
import { SECURITY_EVENT_TYPES, SECURITY_SEVERITIES } from '@ota/protocol';
import { Vin } from '../fleet/schemas.ts';
import { PageQuery } from '../http/pagination.ts';
import { Reason } from '../http/route.ts';
import { PROPOSED_ACTIONS } from './rules.ts';

const isoTime = z.iso.datetime({ offset: true, message: 'an ISO 8601 date-time, e.g. 2026-12-04T22:00:00Z' });

export const SecurityEventQuery = PageQuery.extend({
  vin: Vin.optional(),
  type: z.enum(SECURITY_EVENT_TYPES).optional(),
  severity: z.enum(SECURITY_SEVERITIES).optional(),
  from: isoTime.optional().openapi({ description: 'events at or after this time' }),
  to: isoTime.optional().openapi({ description: 'events before this time' }),
});

export const SecurityEventIdParam = z.object({
  id: z
    .string()
    .regex(/^[A-HJ-NPR-Z0-9]{17}-\d{1,18}$/, 'a security event id: <VIN>-<counter>')
    .openapi({ param: { name: 'id', in: 'path' }, example: '1HGCM82633A004352-7' }),
});

export const StoredSecurityEvent = z
  .object({
    id: z.string(),
    vin: z.string(),
    counter: z.number().int(),
    type: z.enum(SECURITY_EVENT_TYPES),
    severity: z.enum(SECURITY_SEVERITIES),
    occurredAt: z.string(),
    receivedAt: z.string(),
    details: z.string(),
    campaignId: z.number().int().nullable(),
    vulnerabilityId: z.number().int().nullable(),
    vehicleIsolatedAt: z.string().nullable(),
    siemDeliveredAt: z.string().nullable(),
    event: z.record(z.string(), z.unknown()).openapi({ description: 'the event as the vehicle signed it' }),
  })
  .openapi('SecurityEvent');

export const SecurityEventDetail = z.object({
  event: StoredSecurityEvent,
  proposals: z.array(z.object({ action: z.enum(PROPOSED_ACTIONS), reason: z.string() })),
});

export const IsolateBody = z.object({ reason: Reason });
