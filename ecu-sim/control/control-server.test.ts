import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiagnosticSession, RoutineId } from '@ota/uds';
import { nrcOf, startHarness, type Harness } from '../testing/harness.ts';
import { startControlServer, type ControlServer } from './control-server.ts';

let harness: Harness;
let control: ControlServer;
afterEach(async () => {
  await control.close();
  await harness.close();
});

/** Sends lines and collects one reply per line. */
async function converse(path: string, lines: string[]): Promise<Record<string, unknown>[]> {
  const socket = connect(path);
  socket.setEncoding('utf8');
  const replies: Record<string, unknown>[] = [];
  let buffer = '';
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        replies.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
        buffer = buffer.slice(nl + 1);
      }
      if (replies.length === lines.length) resolve();
    });
    socket.write(lines.map((l) => `${l}\n`).join(''));
  });
  socket.destroy();
  return replies;
}

describe('control channel', () => {
  it('sets conditions and faults at run time, reports status, rejects bad commands without effect', async () => {
    harness = await startHarness();
    control = await startControlServer(join(harness.stateDir, 'control.sock'), harness.vehicle);
    const replies = await converse(control.path, [
      '{"cmd":"set","speedKmh":40,"ignition":"accessory"}',
      '{"cmd":"fault","spec":"ecm/nrc:0x22@readDid#1"}',
      '{"cmd":"fault","spec":"ecm/explode"}',
      '{"cmd":"set","speedKmh":-1}',
      'not json',
      '{"cmd":"status"}',
    ]);
    expect(replies[0]).toMatchObject({ ok: true, conditions: { speedKmh: 40, ignition: 'accessory' } });
    expect(replies[1]).toEqual({ ok: true });
    expect(replies[2]).toMatchObject({ ok: false, error: expect.stringContaining('unknown kind "explode"') });
    expect(replies[3]).toMatchObject({ ok: false, error: expect.stringMatching(/^speedKmh: /) });
    expect(replies[4]).toMatchObject({ ok: false, error: expect.stringMatching(/^not JSON/) });
    expect(replies[5]).toMatchObject({ ok: true, conditions: { speedKmh: 40 }, ecus: expect.any(Array) });
    const ecm = (replies[5]!.ecus as { name: string; faults: unknown[] }[]).find((e) => e.name === 'ecm');
    expect(ecm?.faults).toHaveLength(1);

    const { client } = harness.tester('ecm');
    await client.diagnosticSessionControl(DiagnosticSession.extended);
    expect(await client.startRoutine(RoutineId.checkProgrammingPreconditions)).toEqual(Uint8Array.of(0x01, 0x02));
    expect(await nrcOf(client.readDataByIdentifier(0x0101))).toBe(0x22); // the injected fault, once
    expect(await client.readDataByIdentifier(0x0101)).toEqual(Uint8Array.of(0, 40));
    expect(await client.readDataByIdentifier(0x0102)).toEqual(Uint8Array.of(1));
  });

  it('cuts and restores an ECU power', async () => {
    harness = await startHarness();
    control = await startControlServer(join(harness.stateDir, 'control.sock'), harness.vehicle);
    const [loss] = await converse(control.path, ['{"cmd":"powerLoss","ecu":"bcm"}']);
    expect(loss).toEqual({ ok: true });
    expect(harness.vehicle.ecu('bcm').powered).toBe(false);
    const [cycle] = await converse(control.path, ['{"cmd":"powerCycle","ecu":"bcm"}']);
    expect(cycle).toMatchObject({
      ok: true,
      status: { name: 'bcm', powered: true, mode: 'application', bootCount: 2 },
    });
    expect(harness.vehicle.ecu('bcm').powered).toBe(true);
  });
});
