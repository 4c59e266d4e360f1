import { afterEach, describe, expect, it } from 'vitest';
import { JournalAbort } from '../../../vehicle-gateway/journal/update-journal.ts';
import { resumeUpdate, startUpdate } from '../../../vehicle-gateway/update/run-update.ts';
import { startSimVehicle, type SimHarness } from './support/sim-vehicle.ts';
import { gatewaySide } from './support/update-env.ts';

let sim: SimHarness | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
});

const NEW = { ecm: '2.4.2', bcm: '1.8.0', adas: '5.1.0' };

describe('an ECU losing power during its flash (simulator fault)', () => {
  it('dual-bank ECU: the others are rolled back, it keeps running its untouched active bank', async () => {
    sim = await startSimVehicle({ faults: ['adas/silent:1'] });
    const gw = await gatewaySide(sim);
    const { targets, record } = await gw.update('p1', 'c', NEW);
    expect(record.report?.result).toBe('rolled_back');
    expect(record.report?.ecus.map((e) => [e.ecu, e.result])).toEqual([
      ['ecm', 'rolled_back'],
      ['bcm', 'rolled_back'],
      ['adas', 'failed'],
    ]);
    expect(record.report?.ecus[2]).toMatchObject({ step: 'download', nrc: null });
    // Power comes back: adas boots its old bank; the whole vehicle runs what it ran before.
    await sim.restart();
    expect(await gw.running()).toEqual(Object.fromEntries(targets.map((t) => [t.ecu, t.fromSha256])));
  });

  it('single-bank ECU, whole vehicle powered off with the gateway: restored from the kept image on restart', async () => {
    sim = await startSimVehicle({ faults: ['ecm/silent:1'] });
    const gw = await gatewaySide(sim);
    const targets = gw.targets(NEW);
    // The gateway dies with the vehicle, right after it recorded the failure.
    const dying = gw.env((record) => {
      if (record.phase === 'rolling_back') throw new JournalAbort('vehicle power off');
    });
    await expect(startUpdate({ updateId: 'p2', reference: 'c', targets }, dying)).rejects.toThrow(JournalAbort);
    await dying.close();
    await sim.restart();
    // The half-written ECU stays in its bootloader (no valid application), still answering UDS.
    expect(sim.vehicle.ecu('ecm').status().mode).toBe('bootloader');
    const fresh = gw.env();
    const record = await resumeUpdate(fresh);
    await fresh.close();
    expect(record?.report?.result).toBe('failed');
    expect(record?.report?.ecus.map((e) => [e.ecu, e.result])).toEqual([
      ['ecm', 'failed'],
      ['bcm', 'not_started'],
      ['adas', 'not_started'],
    ]);
    expect(await gw.running()).toEqual(Object.fromEntries(targets.map((t) => [t.ecu, t.fromSha256])));
  });
});
