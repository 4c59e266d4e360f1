// What is installed: identification, version, image hash and active bank of each ECU, read over UDS.
import type { EcuLink } from '../flash/ecu-link.ts';
import { ascii, readBankInfo, readIdentity } from '../flash/identification.ts';
import { describeError } from '../flash/result.ts';
import type { PublicEcuDefinition } from '../../uds/vehicle/definition-schema.ts';
import { DataIdentifier } from '../../uds/services/read-data-by-identifier.ts';

export type EcuInventory =
  | {
      ecu: string;
      reachable: true;
      serialNumber: string;
      hardwareId: string;
      vin: string;
      softwareVersion: string;
      bootSoftwareId: string;
      sha256: string;
      banks: 'single' | 'dual';
      activeBank: 'A' | 'B' | null;
      previousVersion: string | null;
    }
  | { ecu: string; reachable: false; error: string };

export async function readEcuInventory(ecu: PublicEcuDefinition, link: EcuLink): Promise<EcuInventory> {
  try {
    const id = await readIdentity(link);
    const bootSoftwareId = ascii(await link.readDataByIdentifier(DataIdentifier.bootSoftwareId));
    const bank = await readBankInfo(link);
    return {
      ecu: ecu.name,
      reachable: true,
      ...id,
      bootSoftwareId,
      banks: ecu.flash.banks,
      activeBank: bank.activeBank,
      previousVersion: bank.previousVersion,
    };
  } catch (err) {
    return { ecu: ecu.name, reachable: false, error: describeError(err) };
  }
}

export function formatInventoryTable(rows: readonly EcuInventory[]): string {
  const header = ['ECU', 'serial', 'hardware id', 'version', 'bank', 'previous', 'image sha256'];
  const lines = rows.map((r) =>
    r.reachable
      ? [
          r.ecu,
          r.serialNumber,
          r.hardwareId,
          r.softwareVersion,
          r.banks === 'dual' ? (r.activeBank ?? '?') : 'single',
          r.previousVersion ?? '-',
          r.sha256,
        ]
      : [r.ecu, '-', '-', '-', '-', '-', `unreachable: ${r.error}`],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [fmt(header), ...lines.map(fmt)].join('\n');
}
