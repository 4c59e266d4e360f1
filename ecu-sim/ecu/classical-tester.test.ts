// The CAN FD ECU (adas) serves a classical-only tester: every frame it sends back, flow control included, is a
// classical CAN frame, because a classical controller rejects CAN FD frames.
import { afterEach, describe, expect, it } from 'vitest';
import type { CanFrame } from '@ota/uds';
import { startHarness, type Harness } from '../testing/harness.ts';
import { openTester } from '../testing/tester.ts';

let harness: Harness;
afterEach(async () => harness.close());

describe('CAN FD ECU and a classical tester', () => {
  it('answers classical requests (single and multi-frame) in classical frames only', async () => {
    harness = await startHarness();
    const def = harness.vehicle.ecu('adas').definition;
    expect(def.can.fd).toBe(true);
    const bus = harness.busOf('adas');
    const fromEcu: CanFrame[] = [];
    const sniffer = bus.attach('sniffer');
    sniffer.subscribe(null, (frame) => {
      if (def.addressing.mode === 'normal11' && frame.id === def.addressing.responseId) fromEcu.push(frame);
    });
    const tester = openTester(bus.attach('classical-tester'), { ...def, can: { ...def.can, fd: false } });
    try {
      const vin = Buffer.from(await tester.client.readDataByIdentifier(0xf190)).toString();
      expect(vin).toHaveLength(17);
      // A multi-frame request: the ECU's flow control must be classical (answered 0x7F outside its session).
      await tester.client.writeDataByIdentifier(0xf15a, new Uint8Array(20)).catch(() => undefined);
      expect(fromEcu.length).toBeGreaterThanOrEqual(4);
      expect(fromEcu.filter((f) => f.fd || f.data.length > 8)).toEqual([]);
    } finally {
      await tester.close();
      await sniffer.close();
    }
  });
});
