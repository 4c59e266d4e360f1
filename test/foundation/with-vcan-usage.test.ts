// scripts/with-vcan refuses bad usage before it touches the kernel or boots anything.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/with-vcan', import.meta.url));
const run = (...args: string[]) => spawnSync(script, args, { encoding: 'utf8' });

describe('scripts/with-vcan usage', () => {
  it('needs a command', () => {
    const result = run('--vcan', '2', '--');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: scripts/with-vcan');
  });

  it('names a bad interface count', () => {
    const result = run('--vcan', 'many', '--', 'true');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--vcan must be 1..99, got 'many'");
  });

  it('names an unknown option', () => {
    const result = run('--frobnicate', '--', 'true');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown option --frobnicate');
  });
});
