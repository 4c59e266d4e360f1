import { decodeMessage, MessageDecodeError } from '@ota/protocol/messages';
import type { ReceivedSecurityEvent } from '../../security-events/ingest.ts';
import { stateOfPhase } from '../vehicle-states.ts';
import type { ReceivedManifest } from './apply-manifests.ts';
import type { ProgressReport } from './apply-progress.ts';
import type { ResultReport } from './apply-results.ts';
import type { InboundReport } from './ingester.ts';
import type { Rejection } from './rejections.ts';

const CAMPAIGN_ID = /^\d{1,9}$/;

/** A batch's reports decoded once, sorted by what stores them; the undecodable ones as rejections. */
export interface DecodedBatch {
  readonly manifests: ReceivedManifest[];
  readonly securityEvents: ReceivedSecurityEvent[];
  readonly results: ResultReport[];
  readonly progress: ProgressReport[];
  readonly rejections: Rejection[];
  /** The ids each decodable result names, for its `stored` confirmation (without decoding it again). */
  readonly resultIds: Map<InboundReport, { campaignId: string; resultId: string }>;
}

/** Decodes every report of a batch; a malformed one becomes a rejection naming why. */
export function decodeBatch(batch: readonly InboundReport[]): DecodedBatch {
  const decoded: DecodedBatch = {
    manifests: [],
    securityEvents: [],
    results: [],
    progress: [],
    rejections: [],
    resultIds: new Map(),
  };
  for (const report of batch) {
    try {
      decodeOne(report, decoded);
    } catch (error) {
      if (!(error instanceof MessageDecodeError)) throw error;
      decoded.rejections.push({ vin: report.vin, topic: report.topic, reason: error.message });
    }
  }
  return decoded;
}

function decodeOne(report: InboundReport, into: DecodedBatch): void {
  const { vin, topic, payload } = report;
  if (report.kind === 'manifest') {
    into.manifests.push({ vin, topic, envelope: decodeMessage('manifest', payload) });
  } else if (report.kind === 'security-event') {
    into.securityEvents.push({ vin, topic, envelope: decodeMessage('security-event', payload) });
  } else if (report.kind === 'result') {
    const r = decodeMessage('result', payload);
    into.resultIds.set(report, { campaignId: r.campaignId, resultId: r.resultId });
    if (!CAMPAIGN_ID.test(r.campaignId)) throw new MessageDecodeError('result', `unknown campaign ${r.campaignId}`);
    const { resultId: reportId, outcome, ecus, error } = r;
    into.results.push({ vin, campaignId: Number(r.campaignId), reportId, outcome, ecus, error });
  } else {
    const p = decodeMessage('progress', payload);
    if (!CAMPAIGN_ID.test(p.campaignId)) throw new MessageDecodeError('progress', `unknown campaign ${p.campaignId}`);
    into.progress.push({ vin, campaignId: Number(p.campaignId), state: stateOfPhase(p.phase) });
  }
}
