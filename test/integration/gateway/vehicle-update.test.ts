import { afterEach, describe, expect, it } from 'vitest';
import { startUpdate, UpdateRefused } from '../../../vehicle-gateway/update/run-update.ts';
import { startSimVehicle, type SimHarness } from './support/sim-vehicle.ts';
import { gatewaySide } from './support/update-env.ts';

let sim: SimHarness | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
});

const NEW = { ecm: '2.4.2', bcm: '1.8.0', adas: '5.1.0' };

describe('vehicle update against ecu-sim', () => {
  it('updates all three ECUs and confirms the dual-bank ones', async () => {
    sim = await startSimVehicle();
    const gw = await gatewaySide(sim);
    const { targets, record } = await gw.update('u1', 'campaign-1', NEW);
    expect(record.report).toMatchObject({ result: 'succeeded', reason: null });
    expect(record.report?.ecus.map((e) => [e.ecu, e.result, e.toVersion])).toEqual([
      ['ecm', 'succeeded', '2.4.2'],
      ['bcm', 'succeeded', '1.8.0'],
      ['adas', 'succeeded', '5.1.0'],
    ]);
    expect(await gw.running()).toEqual(Object.fromEntries(targets.map((t) => [t.ecu, t.toSha256])));
    // Confirmed: the dual-bank ECUs no longer count unconfirmed boots.
    expect(sim.vehicle.ecu('bcm').status().unconfirmedBoots ?? null).toBeNull();
  });

  it('rolls back the updated ECUs when one fails mid-flash, and reports its NRC', async () => {
    sim = await startSimVehicle({ faults: ['adas/nrc:0x72@transferData#1'] });
    const gw = await gatewaySide(sim);
    const { targets, record } = await gw.update('u2', 'campaign-1', NEW);
    expect(record.report?.result).toBe('rolled_back');
    expect(record.report?.ecus.map((e) => [e.ecu, e.result])).toEqual([
      ['ecm', 'rolled_back'],
      ['bcm', 'rolled_back'],
      ['adas', 'failed'],
    ]);
    expect(record.report?.ecus[2]).toMatchObject({ step: 'download', nrc: 0x72, nrcName: 'generalProgrammingFailure' });
    // The gateway reset the failed dual-bank ECU out of its bootloader: it runs its untouched bank again.
    expect(sim.vehicle.ecu('adas').status()).toMatchObject({ mode: 'application', activeBank: 'A' });
    expect(await gw.running()).toEqual(Object.fromEntries(targets.map((t) => [t.ecu, t.fromSha256])));
  });

  it('refuses an update whose single-bank ECU has no kept previous image, touching nothing', async () => {
    sim = await startSimVehicle();
    const gw = await gatewaySide(sim);
    const targets = gw.targets(NEW).map((t) => (t.ecu === 'ecm' ? { ...t, fromSha256: 'ab'.repeat(32) } : t));
    const before = await gw.running();
    const env = gw.env();
    await expect(startUpdate({ updateId: 'u3', reference: 'c', targets }, env)).rejects.toThrow(UpdateRefused);
    await env.close();
    expect(await gw.running()).toEqual(before);
  });
});
