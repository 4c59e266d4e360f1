// Runs scripts/flash-virtual-ecu.mjs as the engineer would, on the built programs when OTA_TEST_BUILT=1.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, USE_BUILT } from './programs.ts';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function flashVirtualEcu(...args: string[]): Promise<CommandResult> {
  const script = join(REPO_ROOT, 'scripts/flash-virtual-ecu.mjs');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...(USE_BUILT ? [] : ['--tsx']), ...args],
      { maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      },
    );
  });
}
