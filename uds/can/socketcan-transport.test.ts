import { describe, expect, it } from 'vitest';
import { SocketCanUnavailableError, openSocketCan } from './socketcan-transport.ts';

describe('openSocketCan', () => {
  it('refuses a name that cannot be a network interface, before touching the addon', async () => {
    await expect(openSocketCan('vcan0; rm -rf /')).rejects.toBeInstanceOf(SocketCanUnavailableError);
    await expect(openSocketCan('')).rejects.toThrow(/not a network interface name/);
  });
});
