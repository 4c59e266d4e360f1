import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '@ota/protocol';
import type { VehicleUpdateReport } from '../journal/update-record.ts';
import { resultFromReport, resultIdOf } from './messages.ts';

const base = {
  fromVersion: '1.0',
  toVersion: '1.1',
  step: null,
  error: null,
  nrc: null,
  nrcName: null,
  bytesSent: 10,
  durationMs: 12.7,
};

const report: VehicleUpdateReport = {
  updateId: 'campaign-7/3',
  result: 'rolled_back',
  reason: 'adas failed at download: TransferData block 0x01 failed: generalProgrammingFailure (0x72)',
  finishedAt: '2026-03-01T12:00:00.123Z',
  ecus: [
    { ...base, ecu: 'ecm', serialNumber: 'ECM1', result: 'rolled_back' },
    {
      ...base,
      ecu: 'adas',
      serialNumber: 'ADAS1',
      result: 'failed',
      step: 'download',
      nrc: 0x72,
      nrcName: 'generalProgrammingFailure',
      error: 'TransferData block 0x01 failed',
    },
    { ...base, ecu: 'bcm', serialNumber: 'BCM1', result: 'not_started', fromVersion: '' },
  ],
};

describe('result message from a journal report', () => {
  it("reports every ECU result in the protocol's words (untouched ECUs as not_started) and passes its schema", () => {
    const result = resultFromReport(report, 'campaign-7');
    const decoded = decodeMessage('result', encodeMessage('result', result));
    expect(decoded).toMatchObject({
      campaignId: 'campaign-7',
      outcome: 'rolled_back',
      finishedAt: '2026-03-01T12:00:00Z',
      error: { code: 'rolled_back' },
    });
    expect(decoded.ecus).toEqual([
      {
        ecuSerial: 'ECM1',
        fromVersion: '1.0',
        toVersion: '1.1',
        result: 'rolled_back',
        error: `rolled back: ${report.reason}`,
        bytesOnBus: 10,
        durationMs: 13,
      },
      {
        ecuSerial: 'ADAS1',
        fromVersion: '1.0',
        toVersion: '1.1',
        result: 'failed',
        nrc: 0x72,
        error: 'TransferData block 0x01 failed',
        bytesOnBus: 10,
        durationMs: 13,
      },
      {
        ecuSerial: 'BCM1',
        fromVersion: 'unknown',
        toVersion: '1.1',
        result: 'not_started',
        error: expect.stringContaining('not started'),
        bytesOnBus: 10,
        durationMs: 13,
      },
    ]);
  });

  it('gives the same update the same result id every time', () => {
    expect(resultFromReport(report, 'c').resultId).toBe(resultIdOf('campaign-7/3'));
    expect(resultIdOf('campaign-7/3')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(resultIdOf('campaign-7/4')).not.toBe(resultIdOf('campaign-7/3'));
  });
});
