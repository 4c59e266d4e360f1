import { describe, expect, it } from 'vitest';
import { MemoryCanBus } from '@ota/uds';
import { CanBuses, CanBusesClosed } from './buses.ts';

describe('CanBuses', () => {
  it('opens no transport again once closed (a stopped gateway stays off the bus)', async () => {
    const bus = new MemoryCanBus();
    const opened: string[] = [];
    const buses = new CanBuses(async (iface) => {
      opened.push(iface);
      return bus.attach(iface);
    });
    expect(await buses.transport('can0')).toBe(await buses.transport('can0'));
    await buses.closeAll();
    await expect(buses.transport('can0')).rejects.toBeInstanceOf(CanBusesClosed);
    await expect(buses.transport('can1')).rejects.toThrow(/the CAN buses are closed: can1/);
    expect(opened).toEqual(['can0']);
  });
});
