import { describe, expect, it } from 'vitest';
import { decodeChunkFrame, encodeChunkFrame } from './chunk-frame.ts';
import { decodeMessage, encodeMessage } from './codec.ts';
import { MessageDecodeError } from './errors.ts';
import type { MessagePayload } from './payloads.ts';
import { parseVehicleTopic, sharedSubscriptionFilter, subscriptionFilter, vehicleTopic } from './topics.ts';

const VIN = 'WVWZZZ1JZXW000001';
const SHA = 'cd'.repeat(32);

describe('topics', () => {
  it('builds and parses ota/v1/vehicles/{vin}/{kind}', () => {
    expect(vehicleTopic(VIN, 'metadata/request')).toBe(`ota/v1/vehicles/${VIN}/metadata/request`);
    expect(parseVehicleTopic(`ota/v1/vehicles/${VIN}/chunks/data`)).toEqual({ vin: VIN, kind: 'chunks/data' });
  });

  it('ignores topics of other versions, kinds or with invalid VINs', () => {
    expect(parseVehicleTopic(`ota/v2/vehicles/${VIN}/offer`)).toBeUndefined();
    expect(parseVehicleTopic(`ota/v1/vehicles/${VIN}/reboot`)).toBeUndefined();
    expect(parseVehicleTopic('ota/v1/vehicles/+/offer')).toBeUndefined();
    expect(parseVehicleTopic(`ota/v1/vehicles/${VIN}`)).toBeUndefined();
  });

  it('refuses VINs that would escape the vehicle subtree', () => {
    expect(() => vehicleTopic('WVWZZZ1JZXW00000#', 'offer')).toThrow('invalid VIN');
    expect(() => vehicleTopic('a/b', 'offer')).toThrow('invalid VIN');
  });

  it('gives wildcard and shared subscription filters for the backend', () => {
    expect(subscriptionFilter('result')).toBe('ota/v1/vehicles/+/result');
    expect(sharedSubscriptionFilter('backend', subscriptionFilter('manifest'))).toBe(
      '$share/backend/ota/v1/vehicles/+/manifest',
    );
    expect(() => sharedSubscriptionFilter('a/b', 'x')).toThrow('invalid shared subscription group');
  });
});

describe('JSON messages', () => {
  it('confirms a stored result or manifest by its id and refuses a confirmation naming neither', () => {
    const result: MessagePayload<'stored'> = {
      kind: 'result',
      campaignId: '7',
      resultId: 'res-00000001',
      status: 'stored',
    };
    expect(decodeMessage('stored', encodeMessage('stored', result))).toEqual(result);
    const manifest: MessagePayload<'stored'> = { kind: 'manifest', counter: 3, status: 'rejected', reason: 'stale' };
    expect(decodeMessage('stored', encodeMessage('stored', manifest))).toEqual(manifest);
    expect(() => decodeMessage('stored', new TextEncoder().encode('{"kind":"result","status":"stored"}'))).toThrow(
      MessageDecodeError,
    );
    expect(vehicleTopic(VIN, 'stored')).toBe(`ota/v1/vehicles/${VIN}/stored`);
  });

  const request: MessagePayload<'chunks/request'> = {
    requestId: 'req-00000001',
    sha256: SHA,
    ranges: [{ offset: 0, length: 4096 }],
  };

  it('round-trips a payload, validated on both ends', () => {
    expect(decodeMessage('chunks/request', encodeMessage('chunks/request', request))).toEqual(request);
    const result: MessagePayload<'result'> = {
      campaignId: 'camp-7',
      resultId: 'res-00000001',
      outcome: 'rolled_back',
      ecus: [
        {
          ecuSerial: 'BRK-0001',
          fromVersion: '1.1.0',
          toVersion: '1.2.0',
          result: 'rolled_back',
          nrc: 0x72,
          bytesOnBus: 10,
          durationMs: 20,
        },
      ],
      finishedAt: '2026-03-01T12:00:00Z',
    };
    expect(decodeMessage('result', encodeMessage('result', result))).toEqual(result);
  });

  it("speaks one result vocabulary: untouched ECUs are not_started, old gateways' success reads as succeeded", () => {
    const ecu = { ecuSerial: 'BRK-0001', fromVersion: '1.1.0', toVersion: '1.2.0', bytesOnBus: 0, durationMs: 0 };
    const result: MessagePayload<'result'> = {
      campaignId: 'camp-7',
      resultId: 'res-00000002',
      outcome: 'failed',
      ecus: [
        { ...ecu, result: 'failed', error: 'hash mismatch' },
        { ...ecu, ecuSerial: 'BCM-0001', result: 'not_started' },
      ],
      finishedAt: '2026-03-01T12:00:00Z',
    };
    expect(decodeMessage('result', encodeMessage('result', result))).toEqual(result);
    const old = new TextEncoder().encode(
      JSON.stringify({ ...result, outcome: 'success', ecus: [{ ...ecu, result: 'success' }] }),
    );
    expect(decodeMessage('result', old)).toMatchObject({ outcome: 'succeeded', ecus: [{ result: 'succeeded' }] });
    const unexplained = { ...result, ecus: [{ ...ecu, result: 'rolled_back' as const }] };
    expect(() => encodeMessage('result', unexplained)).toThrow('needs an nrc or an error text');
  });

  it('decodes both metadata response variants', () => {
    const error = {
      requestId: 'req-00000001',
      status: 'error' as const,
      error: { code: 'unknown_campaign', message: 'no such campaign' },
    };
    expect(decodeMessage('metadata/response', encodeMessage('metadata/response', error))).toEqual(error);
  });

  it("reads an offer without attempt (an older backend's) as attempt 1, and refuses an attempt below 1", () => {
    const offer = { campaignId: '7', offeredAt: '2026-03-01T12:00:00Z', downloadBytes: 10 };
    expect(decodeMessage('offer', new TextEncoder().encode(JSON.stringify(offer)))).toEqual({ ...offer, attempt: 1 });
    expect(decodeMessage('offer', encodeMessage('offer', { ...offer, attempt: 3 })).attempt).toBe(3);
    for (const attempt of [0, 1.5, '2']) {
      const bytes = new TextEncoder().encode(JSON.stringify({ ...offer, attempt }));
      expect(() => decodeMessage('offer', bytes)).toThrow(/offer message: attempt/);
    }
  });

  it('refuses to send an invalid payload', () => {
    expect(() => encodeMessage('chunks/request', { ...request, ranges: [] })).toThrow(MessageDecodeError);
  });

  it('refuses received payloads that are not JSON or miss fields, naming the field', () => {
    expect(() => decodeMessage('progress', new Uint8Array([0xff]))).toThrow('progress message: not UTF-8 JSON');
    const bytes = new TextEncoder().encode(JSON.stringify({ ...request, sha256: 'x' }));
    expect(() => decodeMessage('chunks/request', bytes)).toThrow('chunks/request message: sha256: expected a sha256');
    const tooLong = new TextEncoder().encode(JSON.stringify({ ...request, ranges: [{ offset: 0, length: 1e9 }] }));
    expect(() => decodeMessage('chunks/request', tooLong)).toThrow('ranges.0.length');
  });
});

describe('chunk frames', () => {
  const header = { requestId: 'req-00000001', sha256: SHA, offset: 10, length: 3, totalLength: 13 };

  it('round-trips header and bytes', () => {
    const frame = encodeChunkFrame(header, new Uint8Array([1, 2, 3]));
    const decoded = decodeChunkFrame(frame);
    expect(decoded.header).toEqual(header);
    expect([...decoded.data]).toEqual([1, 2, 3]);
    expect(frame[0]).toBe(1);
  });

  it('decodes a frame that sits at an offset inside a larger buffer', () => {
    const frame = encodeChunkFrame(header, new Uint8Array([1, 2, 3]));
    const padded = new Uint8Array(frame.length + 5);
    padded.set(frame, 5);
    expect([...decodeChunkFrame(padded.subarray(5)).data]).toEqual([1, 2, 3]);
  });

  it('refuses truncated, mislabelled and inconsistent frames', () => {
    const frame = encodeChunkFrame(header, new Uint8Array([1, 2, 3]));
    expect(() => decodeChunkFrame(frame.subarray(0, frame.length - 1))).toThrow('2 data bytes, header says 3');
    expect(() => decodeChunkFrame(new Uint8Array([2, 0, 0]))).toThrow('frame format version 2');
    expect(() => decodeChunkFrame(new Uint8Array([1, 0xff, 0xff, 0]))).toThrow('runs past the frame');
    expect(() => decodeChunkFrame(new Uint8Array([1]))).toThrow('shorter than');
    expect(() => encodeChunkFrame({ ...header, totalLength: 12 }, new Uint8Array(3))).toThrow('past totalLength');
    expect(() => encodeChunkFrame(header, new Uint8Array(2))).toThrow('2 bytes, header says 3');
  });
});
