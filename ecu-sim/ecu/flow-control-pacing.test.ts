// The ECU paces long requests: its flow control announces a block size, so a tester never sends more than BS
// consecutive frames before the ECU has read them and answered (a stalled ECU process on SocketCAN would
// otherwise lose frames of a 4 KiB TransferData in its full receive buffer).
import { afterEach, describe, expect, it } from 'vitest';
import type { CanFrame } from '@ota/uds';
import { startHarness, type Harness } from '../testing/harness.ts';
import { DEFAULT_ECU_BLOCK_SIZE } from '../vehicle/schema.ts';

let harness: Harness;
afterEach(async () => harness.close());

const FLOW_CONTROL = 0x30;
const CONSECUTIVE_FRAME = 0x20;

describe('ECU flow control', () => {
  it('announces a non-zero block size by default and gets at most BS consecutive frames per flow control', async () => {
    harness = await startHarness();
    const def = harness.vehicle.ecu('ecm').definition;
    if (def.addressing.mode !== 'normal11') throw new Error('the test vehicle ecm uses 11-bit normal addressing');
    const { requestId, responseId } = def.addressing;
    const frames: CanFrame[] = [];
    const sniffer = harness.busOf('ecm').attach('sniffer');
    sniffer.subscribe(null, (frame) => {
      if (frame.id === requestId || frame.id === responseId) frames.push(frame);
    });
    const tester = harness.tester('ecm');
    try {
      // A ~4 KB request (refused outside the programming session, but only after ISO-TP delivered all of it).
      await tester.client.writeDataByIdentifier(0xf15a, new Uint8Array(4000)).catch(() => undefined);
      const flowControls = frames.filter((f) => f.id === responseId && (f.data[0]! & 0xf0) === FLOW_CONTROL);
      expect(flowControls.length).toBeGreaterThan(1);
      for (const fc of flowControls) expect(fc.data[1]).toBe(DEFAULT_ECU_BLOCK_SIZE);
      let sinceFlowControl = 0;
      let consecutiveFrames = 0;
      for (const f of frames) {
        if (f.id === responseId && (f.data[0]! & 0xf0) === FLOW_CONTROL) sinceFlowControl = 0;
        else if (f.id === requestId && (f.data[0]! & 0xf0) === CONSECUTIVE_FRAME) {
          consecutiveFrames++;
          expect(++sinceFlowControl).toBeLessThanOrEqual(DEFAULT_ECU_BLOCK_SIZE);
        }
      }
      expect(consecutiveFrames).toBe(Math.ceil((3 + 4000 - 6) / 7)); // 2E F1 5A + data, less the first frame's 6
    } finally {
      await sniffer.close();
    }
  });
});
