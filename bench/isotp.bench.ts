// ISO-TP payload and UDS TransferData throughput (bytes/s) and CPU time per MiB, over the in-memory bus
// and, when SocketCAN vcan is available (inside scripts/with-vcan), over vcan; beside the physical limit
// of a 500 kbit/s classical CAN bus as the reference row.
// Usage: npm run bench -- isotp [--size-kib N] [--vcan-size-kib N]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  IsoTpEndpoint,
  MemoryCanBus,
  UdsClient,
  openSocketCan,
  DiagnosticSession,
  type CanTransport,
} from '../uds/index.ts';
import { MiniEcu } from '../uds/testing/mini-ecu.ts';

interface Row {
  measure: string;
  transport: string;
  bytes: number;
  ms: number;
  cpuMs: number;
}

interface Link {
  name: string;
  tester: CanTransport;
  ecu: CanTransport;
  close: () => Promise<void>;
}

const secret = new TextEncoder().encode('bench-secret');

function memoryLink(bitrate?: { arbitration: number; data: number }): Link {
  const bus = new MemoryCanBus(bitrate ? { bitrate: bitrate.arbitration, dataBitrate: bitrate.data } : {});
  const name = bitrate
    ? `memory bus ${bitrate.arbitration / 1000}${bitrate.data !== bitrate.arbitration ? `/${bitrate.data / 1000}` : ''} kbit/s`
    : 'memory bus';
  return { name, tester: bus.attach('tester'), ecu: bus.attach('ecu'), close: async () => undefined };
}

async function vcanLink(iface: string): Promise<Link> {
  const tester = await openSocketCan(iface);
  const ecu = await openSocketCan(iface);
  return {
    name: iface,
    tester,
    ecu,
    close: async () => {
      await tester.close();
      await ecu.close();
    },
  };
}

async function measure(what: string, link: Link, bytes: number, run: () => Promise<void>): Promise<Row> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { measure: what, transport: link.name, bytes, ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Raw ISO-TP: back-to-back messages of `messageSize` bytes, BS 0 / STmin 0 (the reference ECU's FC). */
async function isoTpThroughput(link: Link, fd: boolean, total: number): Promise<Row> {
  const messageSize = fd ? 64 * 1024 : 4095;
  const count = Math.max(1, Math.round(total / messageSize));
  const tx = new IsoTpEndpoint(link.tester, { txId: 0x7e0, rxId: 0x7e8, fd });
  const rx = new IsoTpEndpoint(link.ecu, { txId: 0x7e8, rxId: 0x7e0, fd });
  let received = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((r) => (done = r));
  rx.onMessage((m) => {
    received += m.length;
    if (received >= count * messageSize) done();
  });
  const message = new Uint8Array(messageSize).fill(0x5a);
  const row = await measure(
    `ISO-TP ${fd ? 'CAN FD 64 B' : 'classical'}, ${messageSize} B messages`,
    link,
    count * messageSize,
    async () => {
      for (let i = 0; i < count; i++) await tx.send(message);
      await all;
    },
  );
  await tx.close();
  await rx.close();
  return row;
}

/** UDS: RequestDownload + TransferData blocks + RequestTransferExit against the mini ECU. */
async function transferDataThroughput(link: Link, fd: boolean, total: number): Promise<Row> {
  const blockLength = fd ? 0x1002 : 0x802;
  const physical = new IsoTpEndpoint(link.tester, { txId: 0x7e0, rxId: 0x7e8, fd });
  const ecuPhysical = new IsoTpEndpoint(link.ecu, { txId: 0x7e8, rxId: 0x7e0, fd });
  const ecu = new MiniEcu({ physical: ecuPhysical, secret, memorySize: total, maxNumberOfBlockLength: blockLength });
  const client = new UdsClient(physical);
  await client.diagnosticSessionControl(DiagnosticSession.programming);
  await client.unlock(0x11, secret);
  const data = new Uint8Array(total).fill(0xa5);
  const row = await measure(
    `UDS TransferData ${fd ? 'CAN FD' : 'classical'}, ${blockLength - 2} B blocks`,
    link,
    total,
    async () => {
      await client.download({ address: 0, data });
    },
  );
  await client.close();
  await ecu.close();
  await physical.close();
  await ecuPhysical.close();
  return row;
}

/** scripts/with-vcan already creates its interfaces at MTU 72; only an interface made elsewhere needs setting. */
function enableCanFd(iface: string): boolean {
  try {
    if (Number(readFileSync(`/sys/class/net/${iface}/mtu`, 'utf8').trim()) >= 72) return true;
  } catch {
    // no such interface, or no sysfs: let `ip` decide
  }
  try {
    execFileSync('ip', ['link', 'set', iface, 'down']);
    execFileSync('ip', ['link', 'set', iface, 'mtu', '72']);
    execFileSync('ip', ['link', 'set', iface, 'up']);
    return true;
  } catch {
    return false;
  }
}

function argValue(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} needs a positive number`);
  return v;
}

const kib = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;

function printTable(rows: Row[], notes: string[]): void {
  const header = ['measure', 'transport', 'payload', 'time ms', 'throughput KB/s', 'CPU ms / MiB'];
  const body = rows.map((r) => [
    r.measure,
    r.transport,
    kib(r.bytes),
    r.ms.toFixed(0),
    (r.bytes / 1000 / (r.ms / 1000)).toFixed(1),
    ((r.cpuMs * 1024 * 1024) / r.bytes).toFixed(0),
  ]);
  // 500 kbit/s classical CAN: an 8-byte frame with 11-bit id is 111 bits without and ~125 with typical
  // bit stuffing; an ISO-TP consecutive frame carries 7 payload bytes, so the bus carries at best:
  body.push([
    'reference: 500 kbit/s classical CAN, ISO-TP CFs',
    'physical bus',
    '-',
    '-',
    `${(((500_000 / 125) * 7) / 1000).toFixed(1)}-${(((500_000 / 111) * 7) / 1000).toFixed(1)}`,
    '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of body) console.log(line(r));
  for (const n of notes) console.log(`\n${n}`);
}

export default async function isotpBench(args: string[]): Promise<void> {
  const size = argValue(args, '--size-kib', 1024) * 1024;
  const vcanSize = argValue(args, '--vcan-size-kib', 128) * 1024;
  const rows: Row[] = [];
  const notes: string[] = [];
  await isoTpThroughput(memoryLink(), false, 64 * 1024); // warm-up (JIT), not reported
  for (const fd of [false, true]) {
    const link = memoryLink();
    rows.push(await isoTpThroughput(link, fd, fd ? size : size / 4));
    rows.push(await transferDataThroughput(link, fd, fd ? size : size / 4));
  }
  // The same stack on a simulated 500 kbit/s bus (CAN FD: 2 Mbit/s data phase): close to the reference row
  // means ISO-TP and UDS add little beyond the bus itself.
  rows.push(await transferDataThroughput(memoryLink({ arbitration: 500_000, data: 500_000 }), false, 64 * 1024));
  rows.push(await transferDataThroughput(memoryLink({ arbitration: 500_000, data: 2_000_000 }), true, 256 * 1024));
  let vcan: Link | null = null;
  try {
    vcan = await vcanLink('vcan0');
  } catch (err) {
    notes.push(
      `vcan: not measured (${(err as Error).message.split(';')[0]}); run inside scripts/with-vcan for those rows.`,
    );
  }
  if (vcan) {
    rows.push(await isoTpThroughput(vcan, false, vcanSize / 2));
    rows.push(await transferDataThroughput(vcan, false, vcanSize));
    await vcan.close();
    if (enableCanFd('vcan1')) {
      const fdLink = await vcanLink('vcan1');
      rows.push(await isoTpThroughput(fdLink, true, vcanSize * 2));
      rows.push(await transferDataThroughput(fdLink, true, vcanSize * 2));
      await fdLink.close();
    } else notes.push('vcan CAN FD: not measured (setting vcan1 to MTU 72 needs root).');
    notes.push('vcan figures inside user-mode Linux measure its one slow CPU (~0.5 ms per frame), not a real bus.');
  }
  notes.push(
    'vcan and the memory bus have no bit rate: they show what the stack itself can push; a real bus caps at the reference row.',
  );
  printTable(rows, notes);
}
