// CPU seconds and peak memory of processes from Linux's /proc: the backend instances the fleet bench
// starts, and the local PostgreSQL server (its postmaster and every process under it).
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux architecture Node runs on). */
const TICKS_PER_SECOND = 100;

export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime: CPU seconds this process used itself. */
  readonly cpuSeconds: number;
  /** cutime + cstime: CPU seconds of its children that exited and were waited for. */
  readonly childCpuSeconds: number;
}

/** Parses /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses, so fields are counted from its last ')'. */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  const pid = Number(text.slice(0, text.indexOf(' ')));
  // After ')': state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17); rest[0] is field 3.
  const rest = text
    .slice(close + 2)
    .trim()
    .split(' ');
  const field = (n: number) => Number(rest[n - 3]);
  if (rest.length < 15 || [4, 14, 15, 16, 17].some((n) => !Number.isFinite(field(n))))
    throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  return {
    pid,
    ppid: field(4),
    cpuSeconds: (field(14) + field(15)) / TICKS_PER_SECOND,
    childCpuSeconds: (field(16) + field(17)) / TICKS_PER_SECOND,
  };
}

/** A memory line (VmRSS, VmHWM) of a /proc/<pid>/status text, in bytes; a zombie has none. */
export function parseStatusBytes(status: string, field: 'VmRSS' | 'VmHWM'): number {
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1];
  if (kb === undefined) throw new Error(`no ${field} line in /proc/<pid>/status`);
  return Number(kb) * 1024;
}

/** VmHWM (peak resident set) of a /proc/<pid>/status text, in bytes. */
export const parsePeakRss = (status: string): number => parseStatusBytes(status, 'VmHWM');

export const procStat = (pid: number): ProcStat => parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
export const peakRss = (pid: number): number => parsePeakRss(readFileSync(`/proc/${pid}/status`, 'utf8'));

/** Stats of every live process whose command name is `name`; processes that exit meanwhile are skipped. */
function processesNamed(name: string): ProcStat[] {
  const found: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) found.push(procStat(Number(entry)));
    } catch {
      // Exited between the listing and the read.
    }
  }
  return found;
}

/**
 * CPU seconds the PostgreSQL server listening on `port` has used so far: its postmaster's own and its
 * waited-for children's (backends that ended), plus every live child's. The difference of two readings
 * is the server's CPU between them, whoever its clients were. When no postmaster's command line names
 * the port (set in its config file instead), every postmaster on the machine counts.
 */
export function postgresCpuSeconds(port: number): { seconds: number } | { unreadable: string } {
  const all = processesNamed('postgres');
  const pids = new Set(all.map((p) => p.pid));
  const postmasters = all.filter((p) => !pids.has(p.ppid));
  const onPort = postmasters.filter((p) => commandLine(p.pid).includes(` -p ${port}`));
  const servers = onPort.length > 0 ? onPort : postmasters;
  if (servers.length === 0) return { unreadable: 'no postgres process visible in /proc (not on this machine?)' };
  const serverPids = new Set(servers.map((p) => p.pid));
  let seconds = 0;
  for (const p of all) {
    if (serverPids.has(p.pid)) seconds += p.cpuSeconds + p.childCpuSeconds;
    else if (serverPids.has(p.ppid)) seconds += p.cpuSeconds;
  }
  return { seconds };
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}
