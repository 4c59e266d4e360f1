import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryCanBus, normalFixedId } from '@ota/uds';
import { parseVehicleDefinition } from '../vehicle/load.ts';
import { busProfiles, CanIntrusionMonitor, requestServiceId } from './can-monitor.ts';
import type { SecurityEventInput } from './recorder.ts';

const exampleFile = join(import.meta.dirname, '..', '..', 'ecu-sim', 'vehicles', 'example.json');

function vehicle(extra: Record<string, unknown> = {}) {
  return parseVehicleDefinition({ ...JSON.parse(readFileSync(exampleFile, 'utf8')), ...extra }, exampleFile);
}

const frame = (id: number, data: number[], extended = false) => ({
  id,
  extended,
  fd: false,
  data: Uint8Array.from(data),
});

async function watch(extra: Record<string, unknown> = {}) {
  const bus = new MemoryCanBus();
  const gateway = bus.attach('vcan0');
  const intruder = bus.attach('vcan0');
  const events: SecurityEventInput[] = [];
  let clock = 0;
  const monitor = new CanIntrusionMonitor((e) => events.push(e), { quietMs: 1000, now: () => clock });
  monitor.watch(gateway, busProfiles(vehicle(extra), null).get('vcan0')!);
  // Resolves once the gateway's socket received every frame sent (the bus delivers in a later turn).
  let received = 0;
  let expected = 0;
  let arrived: () => void = () => undefined;
  gateway.subscribe(null, () => {
    if (++received === expected) arrived();
  });
  const send = async (...frames: ReturnType<typeof frame>[]) => {
    const all = new Promise<void>((r) => (arrived = r));
    expected += frames.length;
    for (const f of frames) await intruder.send(f);
    await all;
  };
  return { events, gateway, send, tick: (ms: number) => (clock += ms), monitor };
}

describe('CanIntrusionMonitor', () => {
  it('reports a diagnostic request the gateway did not send, once per quiet period', async () => {
    const { events, send, tick } = await watch();
    await send(frame(0x7e0, [0x02, 0x10, 0x02]), frame(0x7e0, [0x02, 0x10, 0x02]), frame(0x7df, [0x02, 0x3e, 0x00]));
    expect(events).toMatchObject([
      { type: 'can_unsent_diagnostic_request', bus: 'vcan0', canId: 0x7e0, serviceId: 0x10 },
      { type: 'can_unsent_diagnostic_request', canId: 0x7df, serviceId: 0x3e },
    ]);
    tick(1000);
    await send(frame(0x7e0, [0x10, 0x14, 0x27, 0x02]), frame(0x7e0, [0x21, 1, 2, 3]));
    expect(events.slice(2)).toMatchObject([{ canId: 0x7e0, serviceId: 0x27 }]); // first frame counted, CF not
  });

  it("reports ids outside the vehicle's known set, but not the ECUs' answers nor listed ids", async () => {
    const { events, send, gateway } = await watch({ knownCanIds: ['0x3A0'] });
    await send(frame(0x7e8, [0x02, 0x50, 0x03]), frame(0x3a0, [1]), frame(0x123, [1]), frame(0x123, [2]));
    expect(events).toMatchObject([{ type: 'can_unknown_id', canId: 0x123 }]);
    await gateway.send(frame(0x7e0, [0x02, 0x10, 0x03])); // its own request is not echoed to it
    await send(frame(0x3a0, [2])); // a frame sent after it has arrived, so the request would have too
    expect(events).toHaveLength(1);
  });

  it('reads the service of 29-bit requests to an ECU from any tester address', () => {
    const v = vehicle();
    const ecu = v.ecus[0]!;
    v.ecus[0] = {
      ...ecu,
      addressing: { mode: 'normalFixed29', ecuAddress: 0x10, testerAddress: 0xf1, functionalAddress: 0x33 },
    };
    const profile = busProfiles(v, null).get('vcan0')!;
    expect(profile.knownIds.has(normalFixedId('physical', 0xf1, 0x10))).toBe(true);
    expect(profile.ecuAddresses29.has(0x10)).toBe(true);
    expect(requestServiceId(Uint8Array.of(0x00, 0x03, 0x22, 0xf1, 0x90))).toBe(0x22); // FD single frame escape
    expect(requestServiceId(Uint8Array.of(0x30, 0, 0))).toBeUndefined();
  });
});
