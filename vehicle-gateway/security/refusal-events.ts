// The security events that the gateway's refusals and failed flashes amount to. Refusals that are no attack
// (a download that failed, an ECU that did not answer) make none.
import { attackOf, isVerificationErrorCode } from '@ota/protocol';
import { NRC } from '@ota/uds';
import type { PublicVehicleDefinition } from '@ota/uds/vehicle';
import type { PrepareError } from '../connected/prepare-update.ts';
import type { VehicleUpdateReport } from '../journal/update-record.ts';
import type { SecurityEventInput } from './recorder.ts';

const LOCKOUT_NRCS: readonly number[] = [NRC.exceededNumberOfAttempts, NRC.requiredTimeDelayNotExpired];
/** The gateway's own refusal of the ECU's side of a 0x29 exchange (uds/authentication/tester-authentication.ts). */
const ECU_CREDENTIAL_REFUSED = /the ECU's (certificate is refused|proof of ownership does not verify)/;

export function eventOfRefusal(
  err: PrepareError,
  campaignId: string,
  vehicle: PublicVehicleDefinition,
): SecurityEventInput | undefined {
  const details = err.message.slice(0, 1000);
  if (isVerificationErrorCode(err.code)) {
    return {
      type: 'metadata_verification_failure',
      attack: attackOf(err.code),
      code: err.code,
      ...(err.subject.repository ? { repository: err.subject.repository } : {}),
      campaignId,
      details,
    };
  }
  if (err.code === 'bad_ecu_signature' || err.code === 'image_hash_mismatch') {
    const ecu = vehicle.ecus.find((e) => e.identification.serialNumber === err.subject.ecuSerial);
    if (!ecu) return undefined;
    return { type: 'image_signature_refused', ecu: ecu.name, campaignId, details };
  }
  return undefined;
}

/**
 * Per ECU of a finished update: SecurityAccess refusals and lockouts, 0x29 Authentication refused by the ECU (an
 * NRC) or the ECU's certificate or proof refused by the gateway, signature refusals, a stray bootloader.
 */
export function eventsOfUpdateReport(report: VehicleUpdateReport, campaignId: string): SecurityEventInput[] {
  const events: SecurityEventInput[] = [];
  for (const e of report.ecus) {
    const details = `${e.ecu}: ${e.error ?? e.result}`.slice(0, 1000);
    const nrc = e.nrc ?? undefined;
    const common = { ecu: e.ecu, campaignId, details, ...(nrc !== undefined ? { nrc } : {}) };
    if (e.step === 'securityAccess' && nrc !== undefined) {
      events.push({
        ...common,
        type: LOCKOUT_NRCS.includes(nrc) ? 'security_access_lockout' : 'security_access_failure',
      });
    } else if (e.step === 'authentication' && (nrc !== undefined || ECU_CREDENTIAL_REFUSED.test(e.error ?? ''))) {
      events.push({ ...common, type: 'authentication_failure' });
    } else if (e.step === 'checkMemory' && e.result !== 'succeeded') {
      events.push({ ...common, type: 'ecu_signature_refused' });
    } else if (e.step === 'verify' && e.error?.includes('bootloader')) {
      events.push({ ...common, type: 'unexpected_bootloader' });
    }
  }
  return events;
}
