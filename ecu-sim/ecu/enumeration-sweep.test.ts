// A scanner's sweep: every SID alone and at every length up to 8 bytes, every sub-function of every service
// that has one, every DID of F100-F1FF, in every session (and unlocked). Each request must get exactly one
// final answer that ISO 14229-1 allows for it, never generalReject (an unhandled error), never a hang.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryCanBus } from '@ota/uds';
import { computeSecurityKey, IsoTpEndpoint, NRC, SERVICES_WITH_SUB_FUNCTION } from '@ota/uds';
import { memoryBusTransportFactory, startVehicle, type RunningVehicle } from '../vehicle-runner.ts';
import { testVehicle, VEHICLES_DIR } from '../testing/test-vehicle.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const KNOWN_NRCS: ReadonlySet<number> = new Set(Object.values(NRC));
const MARKER = Uint8Array.of(0x22, 0xf1, 0x8c);
const isMarkerResponse = (m: Uint8Array): boolean => m[0] === 0x62 && m[1] === 0xf1 && m[2] === 0x8c;

let vehicle: RunningVehicle;
let endpoint: IsoTpEndpoint;
const handlerErrors: string[] = [];

beforeAll(async () => {
  const buses = new Map<string, MemoryCanBus>();
  vehicle = await startVehicle({
    definition: testVehicle(),
    baseDir: VEHICLES_DIR,
    stateDir: mkdtempSync(join(tmpdir(), 'ecu-sim-sweep-')),
    transportFactory: memoryBusTransportFactory(buses),
    onError: (ecu, err) => handlerErrors.push(`${ecu}: ${err.message}`),
  });
  endpoint = new IsoTpEndpoint((buses.get('vcan0') as MemoryCanBus).attach('scanner'), { txId: 0x7e0, rxId: 0x7e8 });
});
afterAll(async () => {
  await endpoint.close();
  await vehicle.stop();
});

/** Sends `request` then the marker; returns every answer that came before the marker's answer. */
function exchange(request: Uint8Array): Promise<Uint8Array[]> {
  const answers: Uint8Array[] = [];
  let markersLeft = Buffer.from(request).equals(Buffer.from(MARKER)) ? 2 : 1;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no answer to ${Buffer.from(request).toString('hex')} within 3 s`));
    }, 3000);
    const off = endpoint.onMessage((m) => {
      if (isMarkerResponse(m) && --markersLeft === 0) {
        clearTimeout(timer);
        off();
        resolve(answers);
      } else answers.push(m); // includes the answer to a request that is the marker itself
    });
    void endpoint.send(request).then(() => endpoint.send(MARKER));
  });
}

type SweepSession = 'default' | 'extended' | 'programming' | 'programmingUnlocked';
const SESSION_BYTE: Record<SweepSession, number> = {
  default: 0x01,
  extended: 0x03,
  programming: 0x02,
  programmingUnlocked: 0x02,
};

async function enter(session: SweepSession): Promise<void> {
  const ecm = vehicle.ecu('ecm');
  if (ecm.status().session !== SESSION_BYTE[session]) await exchange(Uint8Array.of(0x10, SESSION_BYTE[session]));
  if (session === 'programmingUnlocked' && vehicle.ecu('ecm').status().securityLevel !== 0x11) {
    const [seedAnswer] = await exchange(Uint8Array.of(0x27, 0x11));
    const secret = Buffer.from(ecm.definition.simulation.securitySecret, 'hex');
    const key = computeSecurityKey(secret, (seedAnswer as Uint8Array).subarray(2));
    const [keyAnswer] = await exchange(Uint8Array.of(0x27, 0x12, ...key));
    expect(keyAnswer).toEqual(Uint8Array.of(0x67, 0x12));
  }
}

/** Returns a description of what is wrong with the answers to `request`, or null. */
function judge(request: Uint8Array, answers: Uint8Array[]): string | null {
  const sid = request[0] as number;
  const hex = Buffer.from(request).toString('hex');
  const suppressed =
    request.length >= 2 && ((request[1] as number) & 0x80) !== 0 && SERVICES_WITH_SUB_FUNCTION.has(sid);
  if (answers.length === 0) return suppressed ? null : `${hex}: no answer`;
  const final = answers[answers.length - 1] as Uint8Array;
  for (const early of answers.slice(0, -1)) {
    if (!(early[0] === 0x7f && early[1] === sid && early[2] === 0x78)) return `${hex}: two answers`;
  }
  if (final[0] === 0x7f) {
    if (final.length !== 3 || final[1] !== sid) return `${hex}: malformed negative response`;
    const nrc = final[2] as number;
    if (nrc === NRC.generalReject) return `${hex}: generalReject (an unhandled error)`;
    if (nrc === NRC.requestCorrectlyReceivedResponsePending || !KNOWN_NRCS.has(nrc))
      return `${hex}: NRC 0x${nrc.toString(16)}`;
    return null;
  }
  return final[0] === sid + 0x40 ? null : `${hex}: answer ${Buffer.from(final).toString('hex')}`;
}

const SESSIONS: SweepSession[] = ['default', 'extended', 'programming', 'programmingUnlocked'];

describe('enumeration sweep of ecm', () => {
  it.each(SESSIONS)('every SID at every length 1..8 in the %s session', async (session) => {
    const problems: string[] = [];
    for (let sid = 0; sid <= 0xff; sid++) {
      for (let length = 1; length <= 8; length++) {
        await enter(session);
        const request = new Uint8Array(length);
        request[0] = sid;
        const problem = judge(request, await exchange(request));
        if (problem) problems.push(problem);
      }
    }
    expect(problems).toEqual([]);
    expect(handlerErrors).toEqual([]);
  });

  it.each(SESSIONS)('every sub-function of every service that has one in the %s session', async (session) => {
    const problems: string[] = [];
    for (const sid of SERVICES_WITH_SUB_FUNCTION) {
      for (let sub = 0; sub <= 0xff; sub++) {
        for (const request of [Uint8Array.of(sid, sub), Uint8Array.of(sid, sub, 0x01)]) {
          await enter(session);
          const problem = judge(request, await exchange(request));
          if (problem) problems.push(problem);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(handlerErrors).toEqual([]);
  });

  it.each(SESSIONS)('every DID of F100-F1FF in the %s session', async (session) => {
    const supported: string[] = [];
    for (let did = 0xf100; did <= 0xf1ff; did++) {
      await enter(session);
      const request = Uint8Array.of(0x22, did >> 8, did & 0xff);
      const answers = await exchange(request);
      expect(judge(request, answers)).toBeNull();
      const final = answers[answers.length - 1] as Uint8Array;
      if (final[0] === 0x62) supported.push(did.toString(16));
      else expect(final).toEqual(Uint8Array.of(0x7f, 0x22, 0x31));
    }
    expect(supported).toEqual(['f15b', 'f180', 'f186', 'f187', 'f189', 'f18a', 'f18c', 'f190', 'f191', 'f1a0', 'f1a1']);
  });

  it('still answers normally afterwards', async () => {
    await enter('default');
    const [answer] = await exchange(Uint8Array.of(0x22, 0xf1, 0x90));
    expect(Buffer.from((answer as Uint8Array).subarray(3)).toString()).toBe(vehicle.definition.vin);
    expect(vehicle.ecu('ecm').powered).toBe(true);
  });
});
