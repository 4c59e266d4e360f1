// scripts/with-load runs a command beside CPU-bound processes and always stops them afterwards.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/with-load', import.meta.url));
const run = (...args: string[]) => spawnSync(script, args, { encoding: 'utf8' });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The burner pids the script announces on stderr. */
function burnerPids(stderr: string): number[] {
  const m = /running \(pids ([\d ]+)\)/.exec(stderr);
  return m ? (m[1] as string).trim().split(' ').map(Number) : [];
}

describe('scripts/with-load', () => {
  it('runs the command beside two busy processes and returns its exit status', () => {
    // The command sees its siblings: count the busy loops whose parent is the script.
    const result = run('--', 'bash', '-c', 'ps -o args= --ppid "$PPID" | grep -c "^bash -c while kill"; exit 3');
    expect(result.status).toBe(3);
    expect(result.stdout.trim()).toBe('2');
    const pids = burnerPids(result.stderr);
    expect(pids).toHaveLength(2);
    expect(pids.filter(alive)).toEqual([]);
  });

  it('stops the burners after a successful command too, and takes another count', () => {
    const result = run('--burners', '3', '--', 'true');
    expect(result.status).toBe(0);
    const pids = burnerPids(result.stderr);
    expect(pids).toHaveLength(3);
    expect(pids.filter(alive)).toEqual([]);
  });

  it('refuses bad usage before starting anything', () => {
    expect(run('--burners', '2', '--').stderr).toContain('usage: scripts/with-load');
    const bad = run('--burners', 'lots', '--', 'true');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--burners must be 1..64, got 'lots'");
    expect(run('--frobnicate', '--', 'true').stderr).toContain('unknown option --frobnicate');
  });
});
