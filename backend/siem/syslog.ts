// RFC 5424 syslog messages and RFC 6587 octet-counting frames (as RFC 5425 prescribes over TLS).
import type { SecuritySeverity } from '@ota/protocol';

/** RFC 5424 severity per event severity: 2 critical, 3 error, 4 warning, 5 notice. */
const SYSLOG_SEVERITY: Record<SecuritySeverity, number> = { critical: 2, high: 3, medium: 4, low: 5 };

/** RFC 5612's enterprise number for documentation; replace it with the OEM's own in production. */
export const SD_ENTERPRISE = 32473;

export interface SyslogHeader {
  facility: number;
  hostname: string;
  appName: string;
}

export interface SyslogEvent {
  id: string;
  vin: string;
  type: string;
  severity: SecuritySeverity;
  occurredAt: string;
  /** The message body (OCSF JSON). */
  body: string;
}

/** A PRINTUSASCII token of at most `max` characters, or the nil value "-" (RFC 5424 section 6). */
function token(value: string, max: number): string {
  const printable = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return printable === '' ? '-' : printable;
}

/** PARAM-VALUE escaping: '"', '\' and ']' get a backslash (RFC 5424 section 6.3.3). */
function paramValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

export function formatSyslog(h: SyslogHeader, e: SyslogEvent): string {
  const pri = h.facility * 8 + SYSLOG_SEVERITY[e.severity];
  const sd = `[ota@${SD_ENTERPRISE} eventId="${paramValue(e.id)}" vin="${paramValue(e.vin)}" type="${paramValue(e.type)}" severity="${e.severity}"]`;
  const msgId = token(e.type, 32);
  return `<${pri}>1 ${e.occurredAt} ${token(h.hostname, 255)} ${token(h.appName, 48)} - ${msgId} ${sd} ${e.body}`;
}

/** `MSG-LEN SP SYSLOG-MSG`, the length in octets of the UTF-8 message. */
export function octetCounted(message: string): Buffer {
  const bytes = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${bytes.length} `, 'ascii'), bytes]);
}
