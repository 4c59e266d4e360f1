// S3 measures the tester's silence, not the ECU process's own stall: when the host stops the process for
// longer than S3 while the tester's TesterPresent already waits to be read, the session stays.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryCanBus } from '../can/memory-bus.ts';
import { IsoTpEndpoint } from '../isotp/endpoint.ts';
import { stallProcess, waitFor } from '../isotp/test-helpers.ts';
import { UdsServer } from './server.ts';

const S3_MS = 30;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function extendedSessionServer() {
  const bus = new MemoryCanBus();
  const tester = new IsoTpEndpoint(bus.attach('tester'), { txId: 0x7e0, rxId: 0x7e8 });
  const physical = new IsoTpEndpoint(bus.attach('ecu'), { txId: 0x7e8, rxId: 0x7e0 });
  const server = new UdsServer({ physical, s3ServerMs: S3_MS });
  const changes: string[] = [];
  server.onSessionChange((session, cause) => changes.push(`${session}:${cause}`));
  closers.push(
    () => server.close(),
    () => tester.close(),
    () => physical.close(),
  );
  return { server, tester, changes };
}

describe('S3 in a stalled ECU process', () => {
  it('does not expire when the TesterPresent arrived during the stall', async () => {
    const { server, tester, changes } = extendedSessionServer();
    // The session starts inside the stall, so S3 expires during it whatever the host did before.
    await stallProcess(3 * S3_MS, () => {
      server.setSession(0x03);
      return tester.send(Uint8Array.of(0x3e, 0x80));
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(changes).toEqual(['3:application']);
    expect(server.session).toBe(0x03);
    // S3 still runs: without a further request the session ends.
    await waitFor(() => server.session === 0x01, 'the S3 fallback');
    expect(changes).toEqual(['3:application', '1:s3Timeout']);
  });
});
