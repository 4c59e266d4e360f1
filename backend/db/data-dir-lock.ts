import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * PGlite takes no lock on its data directory and two processes on one directory corrupt it, so
 * the backend holds `<dataDir>.lock` (its pid) while it runs. A lock left by a dead process is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = `${dataDir}.lock`;
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = Number(readFileSync(path, 'utf8'));
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new Error(`the PGlite data directory ${dataDir} is in use by process ${holder}`);
    }
    writeFileSync(path, String(process.pid));
  }
  const release = () => rmSync(path, { force: true });
  process.once('exit', release);
  return release;
}

/** Whether a process with this pid exists (signal 0 probes without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
