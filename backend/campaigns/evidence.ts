import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { quoteAuditAnchor } from '../audit/anchor-quote.ts';
import type { AuditAnchorQuote } from '../audit/anchor-quote.ts';
import { toAuditEntry } from '../audit/service.ts';
import type { AuditEntry } from '../audit/service.ts';
import { loadRelease } from '../releases/service.ts';
import { loadVulnerability } from '../vulnerabilities/service.ts';
import { loadCampaign } from './service.ts';

const PAGE = 500;

interface EvidenceRow {
  vin: string;
  wave_no: number;
  state: string;
  state_changed_at: Date;
  ecu_serial: string | null;
  hardware_id: string | null;
  from_version: string | null;
  to_version: string | null;
  result: string | null;
  nrc: string | null;
  error: string | null;
  bytes_on_bus: string | null;
  duration_ms: number | null;
  finished_at: Date | null;
}

/** Per vehicle and ECU rows, paged by VIN so an export never holds the whole campaign in memory. */
async function* evidenceRows(db: Db, campaignId: number): AsyncGenerator<EvidenceRow[]> {
  let after = '';
  for (;;) {
    const vins = await db
      .selectFrom('campaign_vehicles')
      .select('vin')
      .where('campaign_id', '=', campaignId)
      .where('vin', '>', after)
      .orderBy('vin')
      .limit(PAGE)
      .execute();
    if (vins.length === 0) return;
    const list = vins.map((v) => v.vin);
    const rows = await sql<EvidenceRow>`
      SELECT cv.vin, cv.wave_no, cv.state, cv.state_changed_at, ce.ecu_serial, ce.hardware_id, ce.from_version,
             ce.to_version, ce.result, ce.nrc, ce.error, ce.bytes_on_bus, ce.duration_ms, ce.finished_at
      FROM campaign_vehicles cv
      LEFT JOIN campaign_ecus ce ON ce.campaign_id = cv.campaign_id AND ce.vin = cv.vin
      WHERE cv.campaign_id = ${campaignId} AND cv.vin = ANY(${list}::text[])
      ORDER BY cv.vin, ce.ecu_serial`.execute(db);
    yield rows.rows;
    after = list.at(-1) ?? after;
    if (vins.length < PAGE) return;
  }
}

async function auditTrail(db: Db, entityType: string, entityId: number): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', String(entityId))
    .where('action', '<>', 'campaign.vehicle_reports')
    .orderBy('seq')
    .execute();
  return rows.map(toAuditEntry);
}

/**
 * The auditor's bundle for one campaign as streamed JSON: the campaign with who created and who
 * approved it, the vulnerabilities it remediates with their assessment, the releases with their
 * lifecycle and test evidence, the campaign's audit trail, and per vehicle the versions before and
 * after with timestamps and per-ECU results.
 */
export async function* exportEvidenceJson(
  db: Db,
  campaignId: number,
  /** The audit head and checkpoint to quote; read here (without a checkpoint) when not given. */
  auditAnchor: AuditAnchorQuote | null = null,
): AsyncGenerator<string> {
  const campaign = await loadCampaign(db, campaignId);
  const users = await db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('id', 'in', [campaign.createdBy, campaign.approvedBy ?? campaign.createdBy])
    .execute();
  const nameOf = (id: number | null) => users.find((u) => u.id === id)?.name ?? null;
  const vulnerabilities = [];
  for (const id of campaign.vulnerabilityIds) {
    vulnerabilities.push({
      ...(await loadVulnerability(db, id)),
      auditTrail: await auditTrail(db, 'vulnerability', id),
    });
  }
  const releases = [];
  for (const id of campaign.releaseIds) {
    releases.push({ ...(await loadRelease(db, id)), lifecycle: await auditTrail(db, 'release', id) });
  }
  const anchor = auditAnchor ?? (await quoteAuditAnchor(db, null));
  const header = {
    generatedAt: new Date().toISOString(),
    // verify-audit --expect-head SEQ:HASH later shows the log still holds what this export saw.
    auditHead: anchor.head,
    auditCheckpoint: anchor.checkpoint,
    campaign: { ...campaign, createdByName: nameOf(campaign.createdBy), approvedByName: nameOf(campaign.approvedBy) },
    vulnerabilities,
    releases,
    auditTrail: await auditTrail(db, 'campaign', campaignId),
  };
  const text = JSON.stringify(header);
  yield `${text.slice(0, -1)},"vehicles":[`;
  let first = true;
  for await (const rows of evidenceRows(db, campaignId)) {
    const byVin = new Map<string, EvidenceRow[]>();
    for (const r of rows) byVin.set(r.vin, [...(byVin.get(r.vin) ?? []), r]);
    const chunk = [...byVin.values()].map((ecus) => {
      const v = ecus[0] as EvidenceRow;
      return JSON.stringify({
        vin: v.vin,
        waveNo: v.wave_no,
        state: v.state,
        stateChangedAt: v.state_changed_at.toISOString(),
        ecus: ecus
          .filter((e) => e.ecu_serial !== null)
          .map((e) => ({
            serial: e.ecu_serial,
            hardwareId: e.hardware_id,
            fromVersion: e.from_version,
            toVersion: e.to_version,
            result: e.result,
            nrc: e.nrc,
            error: e.error,
            bytesOnBus: e.bytes_on_bus === null ? null : Number(e.bytes_on_bus),
            durationMs: e.duration_ms,
            finishedAt: e.finished_at?.toISOString() ?? null,
          })),
      });
    });
    if (chunk.length > 0) {
      yield `${first ? '' : ','}${chunk.join(',')}`;
      first = false;
    }
  }
  yield ']}';
}

export const EVIDENCE_CSV_COLUMNS = [
  'vin',
  'wave',
  'vehicle_state',
  'state_changed_at',
  'ecu_serial',
  'hardware_id',
  'from_version',
  'to_version',
  'result',
  'nrc',
  'error',
  'bytes_on_bus',
  'duration_ms',
  'finished_at',
] as const;

/** RFC 4180 quoting, and a leading quote on cells a spreadsheet would run as a formula. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line per vehicle and ECU: versions before and after, result and timestamps. */
export async function* exportEvidenceCsv(db: Db, campaignId: number): AsyncGenerator<string> {
  await loadCampaign(db, campaignId);
  yield `${EVIDENCE_CSV_COLUMNS.join(',')}\r\n`;
  for await (const rows of evidenceRows(db, campaignId)) {
    yield rows
      .map(
        (r) =>
          [
            r.vin,
            r.wave_no,
            r.state,
            r.state_changed_at,
            r.ecu_serial,
            r.hardware_id,
            r.from_version,
            r.to_version,
            r.result,
            r.nrc,
            r.error,
            r.bytes_on_bus,
            r.duration_ms,
            r.finished_at,
          ]
            .map(csvCell)
            .join(',') + '\r\n',
      )
      .join('');
  }
}
