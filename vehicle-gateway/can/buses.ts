// One CAN transport per interface, opened on first use and shared by every ECU on it.
import type { CanTransport } from '@ota/uds';
import type { PublicEcuDefinition } from '@ota/uds/vehicle';
import { connectEcu, type EcuClientOptions, type EcuConnection } from './ecu-connection.ts';

export type OpenTransport = (iface: string) => Promise<CanTransport>;

/** A bus was asked for after closeAll(): whoever closed them (a stopped gateway) must not talk on them again. */
export class CanBusesClosed extends Error {
  override readonly name = 'CanBusesClosed';
}

export class CanBuses {
  private readonly open = new Map<string, Promise<CanTransport>>();
  private closed = false;

  /** `interfaceOverride` puts every ECU on that interface (engineer mode `--can`). */
  constructor(
    private readonly openTransport: OpenTransport,
    private readonly interfaceOverride: string | null = null,
    private readonly clientOptions: EcuClientOptions = {},
  ) {}

  transport(iface: string): Promise<CanTransport> {
    const name = this.interfaceOverride ?? iface;
    if (this.closed) return Promise.reject(new CanBusesClosed(`the CAN buses are closed: ${name} is not opened again`));
    let t = this.open.get(name);
    if (!t) {
      t = this.openTransport(name);
      this.open.set(name, t);
    }
    return t;
  }

  async connect(ecu: PublicEcuDefinition): Promise<EcuConnection> {
    return connectEcu(await this.transport(ecu.can.interface), ecu, this.clientOptions);
  }

  /** Closes every open transport; none is opened again afterwards. */
  async closeAll(): Promise<void> {
    this.closed = true;
    const all = [...this.open.values()];
    this.open.clear();
    for (const t of all) await (await t.catch(() => null))?.close();
  }
}
