// `gateway inventory`: what every ECU of a vehicle file runs, read over UDS.
import { CanBuses, type OpenTransport } from '../can/buses.ts';
import { readEcuInventory, type EcuInventory } from '../inventory/read-inventory.ts';
import { loadVehicleFile } from '../vehicle/load.ts';
import { CliError, connectOrExit, EXIT } from './cli-error.ts';

export async function runInventoryCommand(
  o: { vehicle: string; can?: string; timingMarginMs?: number },
  openTransport: OpenTransport,
): Promise<EcuInventory[]> {
  let vehicle;
  try {
    vehicle = await loadVehicleFile(o.vehicle);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const buses = new CanBuses(openTransport, o.can ?? null, { timingMarginMs: o.timingMarginMs });
  try {
    const rows: EcuInventory[] = [];
    for (const ecu of vehicle.ecus) {
      const connection = await connectOrExit(buses, ecu, o.can);
      try {
        rows.push(await readEcuInventory(ecu, connection.link));
      } finally {
        await connection.close();
      }
    }
    return rows;
  } finally {
    await buses.closeAll();
  }
}

/** 0 when every ECU was read completely, 3 when not one answered, 4 for anything in between. */
export function inventoryExitCode(rows: readonly EcuInventory[]): number {
  if (rows.every((r) => r.status === 'complete')) return EXIT.ok;
  if (rows.every((r) => r.status === 'unreachable')) return EXIT.unreachable;
  return EXIT.partial;
}
