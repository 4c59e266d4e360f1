// The engineer's one command end to end on vcan: a TEST-signed 16 KiB image flashed into the small example
// vehicle's ecm, and the one-line causes when the ECU or the simulator does not answer.
import { describe, expect, it } from 'vitest';
import { flashVirtualEcu } from '../../support/flash-virtual-ecu.ts';
import { LOADED_HOST_TIMING_MARGIN_MS } from '../../support/loaded-host.ts';

describe('scripts/flash-virtual-ecu.mjs', () => {
  it('flashes the ecm with a progress bar, and the ECU then reports the new version', async () => {
    // The gateway's margin beyond P2 as on a loaded host (the CI runs this beside CPU burners; with the
    // default 250 ms the identification once timed out while the ECU's answer waited for flow control).
    const margin = ['--', '--timing-margin-ms', String(LOADED_HOST_TIMING_MARGIN_MS)];
    const r = await flashVirtualEcu('--ecu', 'ecm', '--version', '2.4.2', ...margin);
    expect(r.stderr).toMatch(/ecm \[#{30}\] 100\.0% 16\/16 KiB/);
    // Read back from the ECU (F189) after its reset into the new image.
    expect(r.stdout).toMatch(/^ecm: flashed 2\.4\.1 -> 2\.4\.2$/m);
    expect(r.code).toBe(0);
  });

  it('names the ECU that does not answer and exits 3', async () => {
    // The ecm answers every DID read after 20 s, long after the gateway gave up on it.
    const r = await flashVirtualEcu('--ecu', 'ecm', '--version', '2.4.2', '--fault', 'ecm/delay:20000@readDid');
    expect(r.stderr).toContain('flash-virtual-ecu: ECU ecm did not answer on vcan0 (the simulator is running)');
    expect(r.code).toBe(3);
  });

  it('says why the simulator never got ready and exits 5', async () => {
    const r = await flashVirtualEcu('--ecu', 'ecm', '--version', '2.4.2', '--fault', 'bogus');
    expect(r.stderr).toMatch(/flash-virtual-ecu: the ECU simulator exited with code 1 before it was ready: .*"bogus"/);
    expect(r.code).toBe(5);
  });
});
