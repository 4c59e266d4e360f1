// What is installed: identification, version, image hash and active bank of each ECU, read over UDS one DID
// at a time. A negative response to one DID is reported with that DID and its NRC, and the other DIDs are
// still read; an ECU that stops answering is not asked further. What was read is always kept.
import type { EcuLink } from '../flash/ecu-link.ts';
import { ascii, decodeBankInfo } from '../flash/identification.ts';
import { describeError } from '../flash/result.ts';
import type { PublicEcuDefinition } from '@ota/uds/vehicle';
import { NegativeResponseError, DataIdentifier } from '@ota/uds';

export interface InventoryValues {
  vin: string;
  serialNumber: string;
  hardwareId: string;
  softwareVersion: string;
  bootSoftwareId: string;
  sha256: string;
  activeBank: 'A' | 'B' | null;
  previousVersion: string | null;
}

/** One DID that could not be read: answered with an NRC, or not answered at all (nrc null). */
export interface DidFailure {
  did: number;
  /** The DID's name in the reference profile, e.g. activeImageSha256. */
  didName: keyof typeof DataIdentifier;
  nrc: number | null;
  error: string;
}

/**
 * complete: every value read. incomplete: the ECU answered, but not every DID (what was read is in `read`).
 * unreachable: not one answer (the first request went unanswered).
 */
export type EcuInventory =
  | ({ ecu: string; status: 'complete'; banks: 'single' | 'dual' } & InventoryValues)
  | {
      ecu: string;
      status: 'incomplete';
      banks: 'single' | 'dual';
      read: Partial<InventoryValues>;
      failures: DidFailure[];
    }
  | { ecu: string; status: 'unreachable'; banks: 'single' | 'dual'; error: string };

export type CompleteInventory = Extract<EcuInventory, { status: 'complete' }>;

/** The DIDs read, in order, and how each fills the values. */
const READS: readonly {
  didName: keyof typeof DataIdentifier;
  apply: (data: Uint8Array) => Partial<InventoryValues>;
}[] = [
  { didName: 'vin', apply: (d) => ({ vin: ascii(d) }) },
  { didName: 'serialNumber', apply: (d) => ({ serialNumber: ascii(d) }) },
  { didName: 'hardwareId', apply: (d) => ({ hardwareId: ascii(d) }) },
  { didName: 'applicationSoftwareVersion', apply: (d) => ({ softwareVersion: ascii(d) }) },
  { didName: 'activeImageSha256', apply: (d) => ({ sha256: Buffer.from(d).toString('hex') }) },
  { didName: 'bootSoftwareId', apply: (d) => ({ bootSoftwareId: ascii(d) }) },
  { didName: 'bankInfo', apply: (d) => decodeBankInfo(d) },
];

export async function readEcuInventory(ecu: PublicEcuDefinition, link: EcuLink): Promise<EcuInventory> {
  const base = { ecu: ecu.name, banks: ecu.flash.banks };
  const read: Partial<InventoryValues> = {};
  const failures: DidFailure[] = [];
  let answered = false;
  for (const { didName, apply } of READS) {
    const did = DataIdentifier[didName];
    try {
      Object.assign(read, apply(await link.readDataByIdentifier(did)));
      answered = true;
    } catch (err) {
      if (err instanceof NegativeResponseError) {
        answered = true;
        failures.push({ did, didName, nrc: err.nrc, error: `${err.nrcName} (0x${hex2(err.nrc)})` });
        continue;
      }
      // No answer: asking the other DIDs would only wait out P2 each time.
      if (!answered) return { ...base, status: 'unreachable', error: describeError(err) };
      failures.push({ did, didName, nrc: null, error: describeError(err) });
      break;
    }
  }
  // Every read succeeded, so every value was set.
  if (failures.length === 0) return { ...base, status: 'complete', ...(read as InventoryValues) };
  return { ...base, status: 'incomplete', read, failures };
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

/** `F1A0 activeImageSha256: requestOutOfRange (0x31)` */
export function describeDidFailure(f: DidFailure): string {
  return `${f.did.toString(16).toUpperCase().padStart(4, '0')} ${f.didName}: ${f.error}`;
}

/** Why a row is not complete, in one line (null for a complete row). */
export function describeInventoryProblem(row: EcuInventory): string | null {
  if (row.status === 'complete') return null;
  if (row.status === 'unreachable') return `${row.ecu} does not answer: ${row.error}`;
  return `${row.ecu} answered, but not every identifier could be read: ${row.failures.map(describeDidFailure).join('; ')}`;
}

export function formatInventoryTable(rows: readonly EcuInventory[]): string {
  const header = ['ECU', 'serial', 'hardware id', 'version', 'bank', 'previous', 'image sha256'];
  const missing = '?';
  const bankCell = (banks: 'single' | 'dual', v: Partial<InventoryValues>, known: boolean): string =>
    banks === 'dual' ? (known ? (v.activeBank ?? '?') : missing) : 'single';
  const lines = rows.map((r) => {
    if (r.status === 'unreachable') return [r.ecu, '-', '-', '-', '-', '-', `unreachable: ${r.error}`];
    const v: Partial<InventoryValues> = r.status === 'complete' ? r : r.read;
    const bankKnown = 'activeBank' in v;
    const cells = [
      r.ecu,
      v.serialNumber ?? missing,
      v.hardwareId ?? missing,
      v.softwareVersion ?? missing,
      bankCell(r.banks, v, bankKnown),
      bankKnown ? (v.previousVersion ?? '-') : missing,
      v.sha256 ?? missing,
    ];
    if (r.status === 'incomplete')
      cells[6] = `${cells[6]}  (not read: ${r.failures.map(describeDidFailure).join('; ')})`;
    return cells;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [fmt(header), ...lines.map(fmt)].join('\n');
}
