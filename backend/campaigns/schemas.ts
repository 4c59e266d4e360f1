import { z } from '@hono/zod-openapi';
import { label } from '../http/schema-fields.ts';
import { CAMPAIGN_KINDS, CAMPAIGN_STATES, INSTALL_PRECONDITIONS, VEHICLE_CAMPAIGN_STATES } from './types.ts';
import { ECU_OUTCOMES } from '@ota/protocol/messages';
import { DELIVERY_CLASSES } from '../vulnerabilities/deadline-policy.ts';
import { Vin } from '../fleet/schemas.ts';

const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM (24 h, vehicle local time)');

export const TargetFilter = z
  .object({
    modelIds: z.array(label()).max(100).optional(),
    modelYears: z
      .object({
        from: z.number().int().min(1980).max(2100).optional(),
        to: z.number().int().min(1980).max(2100).optional(),
      })
      .optional(),
    regions: z.array(label()).max(100).optional(),
    hardwareIds: z.array(label()).max(100).optional(),
    currentVersions: z.array(label()).max(100).optional(),
    tags: z.array(label()).max(100).optional(),
    vins: z.array(Vin).max(100_000).optional(),
  })
  .openapi('TargetFilter');

export const InstallPolicy = z
  .object({
    windows: z
      .array(z.object({ from: time, to: time }))
      .max(10)
      .default([]),
    preconditions: z.array(z.enum(INSTALL_PRECONDITIONS)).max(10).default([]),
    driverConsentRequired: z.boolean().default(true),
  })
  .openapi('InstallPolicy');

export const WavePlan = z
  .object({
    cumulativePercent: z.number().gt(0).max(100),
    successThreshold: z.number().gt(0).max(1),
    errorThreshold: z.number().min(0).max(1),
    soakMinutes: z
      .number()
      .int()
      .min(0)
      .max(60 * 24 * 30),
  })
  .openapi('WavePlan');

export const CampaignInput = z.object({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(CAMPAIGN_KINDS),
  releaseIds: z.array(z.number().int().positive()).min(1).max(50),
  vulnerabilityIds: z.array(z.number().int().positive()).max(100).default([]),
  targetFilter: TargetFilter,
  installPolicy: InstallPolicy.default({ windows: [], preconditions: [], driverConsentRequired: true }),
  waves: z.array(WavePlan).min(1).max(10).optional(),
  pacingPerMinute: z.number().int().min(1).max(1_000_000).default(600),
  priority: z.enum(DELIVERY_CLASSES).optional(),
  deadlineAt: z.iso.datetime({ offset: true }).nullable().optional(),
});

export const CampaignActionBody = z.object({ reason: z.string().trim().min(1).max(2000) });

export const Campaign = z
  .object({
    id: z.number().int(),
    name: z.string(),
    kind: z.enum(CAMPAIGN_KINDS),
    state: z.enum(CAMPAIGN_STATES),
    priority: z.string(),
    deadlineAt: z.string().nullable(),
    targetFilter: TargetFilter,
    installPolicy: InstallPolicy,
    pacingPerMinute: z.number().int(),
    currentWave: z.number().int().nullable(),
    releaseIds: z.array(z.number().int()),
    vulnerabilityIds: z.array(z.number().int()),
    waves: z.array(WavePlan),
    targetedVehicles: z.number().int(),
    createdBy: z.number().int(),
    approvedBy: z.number().int().nullable(),
    approvedAt: z.string().nullable(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Campaign');

export const CampaignListQuery = z.object({ state: z.enum(CAMPAIGN_STATES).optional() });
export const CampaignVehicleQuery = z.object({
  state: z.enum(VEHICLE_CAMPAIGN_STATES).optional(),
  waveNo: z.coerce.number().int().min(1).max(10).optional(),
});
export const CampaignVehicle = z
  .object({
    vin: z.string(),
    waveNo: z.number().int(),
    state: z.string(),
    stateChangedAt: z.string(),
    error: z.string().nullable(),
  })
  .openapi('CampaignVehicle');

export const VehicleReports = z.object({
  reports: z
    .array(
      z.object({
        vin: Vin,
        state: z.enum(VEHICLE_CAMPAIGN_STATES),
        at: z.iso.datetime({ offset: true }).optional(),
        error: z.string().max(2000).nullable().optional(),
        ecus: z
          .array(
            z.object({
              serial: label(),
              result: z.enum(ECU_OUTCOMES),
              nrc: z
                .string()
                .regex(/^0x[0-9A-Fa-f]{2}$/, 'a UDS NRC such as 0x72')
                .nullable()
                .optional(),
              error: z.string().max(2000).nullable().optional(),
              bytesOnBus: z.number().int().min(0).nullable().optional(),
              durationMs: z.number().int().min(0).nullable().optional(),
            }),
          )
          .max(200)
          .optional(),
      }),
    )
    .min(1)
    .max(10_000),
});

export const VehicleReportResult = z
  .object({
    applied: z.number().int(),
    ignored: z.number().int(),
    rejected: z.array(
      z.object({ vin: z.string(), state: z.string(), current: z.string().nullable(), reason: z.string() }),
    ),
  })
  .openapi('VehicleReportResult');

export const WaveDecision = z.object({ action: z.string() }).catchall(z.unknown()).openapi('WaveDecision');

export const Progress = z
  .object({
    campaignId: z.number().int(),
    state: z.string(),
    currentWave: z.number().int().nullable(),
    total: z.number().int(),
    byState: z.record(z.string(), z.number().int()),
    waves: z.array(
      z.object({
        waveNo: z.number().int(),
        cumulativePercent: z.number(),
        successThreshold: z.number(),
        errorThreshold: z.number(),
        soakMinutes: z.number().int(),
        startedAt: z.string().nullable(),
        successReachedAt: z.string().nullable(),
        total: z.number().int(),
        byState: z.record(z.string(), z.number().int()),
        succeeded: z.number().int(),
        failed: z.number().int(),
        finished: z.number().int(),
        successRate: z.number(),
        failureRate: z.number(),
      }),
    ),
  })
  .openapi('CampaignProgress');

export const EvidenceQuery = z.object({ format: z.enum(['json', 'csv']).default('json') });
