import { describe, expect, it } from 'vitest';
import { parsePeakRss, parseProcStat } from './proc-stats.ts';

describe('/proc parsing', () => {
  it('reads ppid, utime+stime and cutime+cstime of a stat line, whatever the command name holds', () => {
    const line =
      '4242 (node (x) y) S 17 4242 4242 0 -1 4194304 5512 1009 0 3 250 75 1200 34 20 0 11 0 3388092 232595456 9006';
    expect(parseProcStat(line)).toEqual({ pid: 4242, ppid: 17, cpuSeconds: 3.25, childCpuSeconds: 12.34 });
  });

  it('refuses a line that is not a stat line', () => {
    expect(() => parseProcStat('garbage')).toThrow(/not a \/proc\/<pid>\/stat line/);
    expect(() => parseProcStat('1 (x) S 1 2')).toThrow(/not a \/proc\/<pid>\/stat line/);
  });

  it('reads VmHWM in bytes', () => {
    expect(parsePeakRss('Name:\tnode\nVmPeak:\t  900 kB\nVmHWM:\t   36116 kB\nVmRSS:\t 100 kB\n')).toBe(36116 * 1024);
    expect(() => parsePeakRss('Name:\tkthreadd\n')).toThrow(/no VmHWM/);
  });
});
