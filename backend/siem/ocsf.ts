// A stored security event as an OCSF 1.1 Detection Finding (class 2004), the JSON body of its syslog message.
// Vehicle-specific facts with no OCSF attribute (counter, attack, CAN id...) are under `unmapped`.
import type { SecuritySeverity } from '@ota/protocol';
import type { StoredSecurityEvent } from '../security-events/service.ts';

export const OCSF_VERSION = '1.1.0';
const DETECTION_FINDING = 2004;
const FINDINGS_CATEGORY = 2;
const ACTIVITY_CREATE = 1;

/** OCSF severity_id: 2 Low, 3 Medium, 4 High, 5 Critical. */
export const OCSF_SEVERITY_ID: Record<SecuritySeverity, number> = { low: 2, medium: 3, high: 4, critical: 5 };

export function toOcsf(e: StoredSecurityEvent): Record<string, unknown> {
  const {
    vin: _vin,
    counter: _counter,
    at: _at,
    severity: _severity,
    details: _details,
    type: _type,
    ...specific
  } = e.event;
  return {
    class_uid: DETECTION_FINDING,
    class_name: 'Detection Finding',
    category_uid: FINDINGS_CATEGORY,
    category_name: 'Findings',
    activity_id: ACTIVITY_CREATE,
    activity_name: 'Create',
    type_uid: DETECTION_FINDING * 100 + ACTIVITY_CREATE,
    time: Date.parse(e.occurredAt),
    severity_id: OCSF_SEVERITY_ID[e.severity],
    severity: e.severity[0]!.toUpperCase() + e.severity.slice(1),
    status_id: 1,
    status: 'New',
    message: e.details,
    metadata: {
      version: OCSF_VERSION,
      uid: e.id,
      logged_time: Date.parse(e.receivedAt),
      product: { name: 'OTA platform vehicle gateway', vendor_name: 'ota-platform' },
    },
    finding_info: {
      uid: e.id,
      title: e.type,
      types: [e.type],
      desc: e.details,
      created_time: Date.parse(e.occurredAt),
    },
    device: { uid: e.vin, type_id: 99, type: 'Vehicle', name: e.vin },
    unmapped: {
      counter: e.counter,
      campaign_id: e.campaignId,
      vulnerability_id: e.vulnerabilityId,
      ...specific,
    },
  };
}
