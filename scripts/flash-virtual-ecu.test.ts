// The one-line flash's argument errors: answered before any vcan, simulator or user-mode Linux is started.
import { describe, expect, it } from 'vitest';
import { flashVirtualEcu } from '../test/support/flash-virtual-ecu.ts';

describe('scripts/flash-virtual-ecu.mjs without CAN', () => {
  it('names a wrong ECU and the ones the vehicle has, exit 2', async () => {
    const r = await flashVirtualEcu('--ecu', 'ecmx', '--version', '2.4.2');
    expect(r.stderr).toMatch(/^flash-virtual-ecu: no ECU "ecmx" in .*small\.json \(ecm, bcm, adas\)$/m);
    expect(r.stderr).not.toContain('with-vcan');
    expect(r.code).toBe(2);
  });

  it('names a missing image file, exit 2', async () => {
    const r = await flashVirtualEcu('--ecu', 'ecm', '--image', '/nonexistent/ecm.bin');
    expect(r.stderr).toContain('flash-virtual-ecu: no image file /nonexistent/ecm.bin');
    expect(r.code).toBe(2);
  });

  it('asks for exactly one of --version and --image, exit 2', async () => {
    const r = await flashVirtualEcu('--ecu', 'ecm');
    expect(r.stderr).toContain('give either --version or --image');
    expect(r.code).toBe(2);
  });
});
