// Test helpers for the UDS client: a tester against a raw node that plays the ECU frame by frame.
import { MemoryCanBus } from '../can/memory-bus.ts';
import { IsoTpEndpoint } from '../isotp/endpoint.ts';
import { recording, type RecordedFrame } from '../isotp/test-helpers.ts';
import { UdsClient } from './client.ts';
import type { UdsClientOptions } from './requester.ts';

const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/ /g, ''), 'hex'));

/** A tester on 0x7E0/0x7E8 and a raw node that plays the ECU frame by frame. */
export function testerAndRawEcu(nCrMs = 1000, clientOptions: UdsClientOptions = {}) {
  const bus = new MemoryCanBus();
  const frames: RecordedFrame[] = [];
  const physical = new IsoTpEndpoint(recording(bus.attach('tester'), frames), { txId: 0x7e0, rxId: 0x7e8, nCrMs });
  const client = new UdsClient(physical, clientOptions);
  const ecu = bus.attach('ecu');
  const sendAsEcu = (h: string): Promise<void> => ecu.send({ id: 0x7e8, extended: false, fd: false, data: bytes(h) });
  /** Calls `onFrame` for each frame the tester sends, as the ECU receives it. */
  const ecuFrames = (onFrame: () => void): void => void ecu.subscribe([{ id: 0x7e0, mask: 0x7ff }], onFrame);
  return { frames, physical, client, sendAsEcu, ecuFrames };
}
