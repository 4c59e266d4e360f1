import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PrepareError } from '../connected/prepare-update.ts';
import type { EcuReport } from '../journal/update-record.ts';
import { parseVehicleDefinition } from '../vehicle/load.ts';
import { eventOfRefusal, eventsOfUpdateReport } from './refusal-events.ts';

const file = join(import.meta.dirname, '..', '..', 'ecu-sim', 'vehicles', 'example.json');
const vehicle = parseVehicleDefinition(JSON.parse(readFileSync(file, 'utf8')), file);
const ecm = vehicle.ecus[0]!;

const ecuReport = (over: Partial<EcuReport>): EcuReport => ({
  ecu: 'ecm',
  serialNumber: ecm.identification.serialNumber,
  result: 'failed',
  fromVersion: '1',
  toVersion: '2',
  step: null,
  error: null,
  nrc: null,
  nrcName: null,
  bytesSent: 0,
  durationMs: 1,
  ...over,
});

describe('refusal events', () => {
  it('names the attack of a metadata refusal and the ECU of a signature refusal', () => {
    const forged = new PrepareError('bad_signature', 'director targets: bad_signature', { repository: 'director' });
    expect(eventOfRefusal(forged, '4', vehicle)).toMatchObject({
      type: 'metadata_verification_failure',
      attack: 'bad_signature',
      repository: 'director',
      campaignId: '4',
    });
    expect(eventOfRefusal(new PrepareError('expired', 'x'), '4', vehicle)).toMatchObject({ attack: 'freeze' });
    const unsigned = new PrepareError('bad_ecu_signature', 'x', { ecuSerial: ecm.identification.serialNumber });
    expect(eventOfRefusal(unsigned, '4', vehicle)).toMatchObject({ type: 'image_signature_refused', ecu: 'ecm' });
    expect(eventOfRefusal(new PrepareError('download_failed', 'x'), '4', vehicle)).toBeUndefined();
  });

  it('turns refused keys, lockouts, ECU signature refusals and a stray bootloader into events', () => {
    const ecus = [
      ecuReport({ step: 'securityAccess', nrc: 0x35 }),
      ecuReport({ step: 'securityAccess', nrc: 0x36 }),
      ecuReport({ step: 'authentication', nrc: 0x53 }),
      ecuReport({ step: 'authentication', error: "Authentication 0x29: the ECU's certificate is refused: expired" }),
      ecuReport({ step: 'authentication', error: 'the gateway has no tester certificate' }),
      ecuReport({ step: 'authentication', error: 'no response within 2000 ms' }),
      ecuReport({ step: 'checkMemory', nrc: 0x72 }),
      ecuReport({ step: 'verify', error: 'after the reset ... (it stayed in its bootloader or fell back)' }),
      ecuReport({ step: 'download', nrc: 0x72 }),
      ecuReport({ result: 'succeeded' }),
    ];
    const events = eventsOfUpdateReport(
      { updateId: 'u', result: 'failed', reason: 'x', ecus, finishedAt: '2026-12-04T22:00:00Z' },
      '4',
    );
    expect(events.map((e) => e.type)).toEqual([
      'security_access_failure',
      'security_access_lockout',
      'authentication_failure',
      'authentication_failure',
      'ecu_signature_refused',
      'unexpected_bootloader',
    ]);
    expect(events[0]).toMatchObject({ ecu: 'ecm', nrc: 0x35, campaignId: '4' });
    expect(events[2]).toMatchObject({ type: 'authentication_failure', ecu: 'ecm', nrc: 0x53, campaignId: '4' });
  });
});
