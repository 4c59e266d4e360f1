import { afterEach, describe, expect, it } from 'vitest';
import { JournalAbort } from '../../../vehicle-gateway/journal/update-journal.ts';
import type { UpdateRecord } from '../../../vehicle-gateway/journal/update-record.ts';
import { resumeUpdate, startUpdate } from '../../../vehicle-gateway/update/run-update.ts';
import { startSimVehicle, type SimHarness } from './support/sim-vehicle.ts';
import { gatewaySide } from './support/update-env.ts';

let sim: SimHarness | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
});

const NEW = { ecm: '2.4.2', bcm: '1.8.0', adas: '5.1.0' };

/** Runs an update that is "killed" right after journal write `killAt`, then a fresh gateway resumes it. */
async function killThenResume(killAt: number | ((record: UpdateRecord) => boolean), faults: string[] = []) {
  sim = await startSimVehicle({ faults });
  const gw = await gatewaySide(sim);
  const targets = gw.targets(NEW);
  let killedIn: string | null = null;
  const dying = gw.env((record: UpdateRecord, write: number) => {
    if (killedIn === null && (typeof killAt === 'number' ? write === killAt : killAt(record))) {
      killedIn = `${record.phase}/${Object.values(record.ecus)
        .map((e) => `${e.target.ecu}:${e.phase}:${e.step ?? '-'}`)
        .join(',')}`;
      throw new JournalAbort(`killed at journal write ${write}`);
    }
  });
  await expect(startUpdate({ updateId: 'k1', reference: 'campaign-k', targets }, dying)).rejects.toThrow();
  await dying.close();
  expect(killedIn).not.toBeNull();
  // The ECUs lose their session (and any download) as they would when the gateway disappears.
  await sim.restart(faults);
  const fresh = gw.env();
  const record = await resumeUpdate(fresh);
  const again = await resumeUpdate(fresh);
  await fresh.close();
  return { record, again, gw, targets, killedIn };
}

describe('a gateway killed during an update and restarted', () => {
  // Journal writes of this update: ~20 per ECU; these points land in each ECU's flash, between ECUs and at the end.
  it.each([2, 9, 12, 16, 22, 37, 50, 58])('finishes the update after a kill at journal write %i', async (killAt) => {
    const { record, again, gw, targets } = await killThenResume(killAt);
    expect(record?.report?.result).toBe('succeeded');
    expect(record?.restarts).toBe(1);
    expect(await gw.running()).toEqual(Object.fromEntries(targets.map((t) => [t.ecu, t.toSha256])));
    // Resuming a finished update changes nothing and never makes a second, different report.
    expect(again?.report).toEqual(record?.report);
  });

  it('finishes the update after a kill while confirming the dual-bank ECUs', async () => {
    const { record, gw, targets, killedIn } = await killThenResume(
      (r) => r.phase === 'confirming' && r.ecus.bcm?.phase === 'confirmed',
    );
    expect(killedIn).toMatch(/^confirming/);
    expect(record?.report?.result).toBe('succeeded');
    expect(await gw.running()).toEqual(Object.fromEntries(targets.map((t) => [t.ecu, t.toSha256])));
  });

  it('reports the same result again after a kill between finishing and reporting', async () => {
    const { record, again, killedIn } = await killThenResume((r) => r.phase === 'finished');
    expect(killedIn).toMatch(/^finished/);
    expect(record?.restarts).toBe(0);
    expect(again?.report).toEqual(record?.report);
  });

  it.each([45, 52])(
    'finishes a failing update with a rollback after a kill before or during it (write %i)',
    async (killAt) => {
      const { record, gw, targets, killedIn } = await killThenResume(killAt, ['adas/nrc:0x72@transferData#1']);
      expect(killedIn).toMatch(/^(rolling_back|flashing)/);
      expect(record?.report?.result).toBe('rolled_back');
      expect(await gw.running()).toEqual(Object.fromEntries(targets.map((t) => [t.ecu, t.fromSha256])));
    },
  );
});
