import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, PORT_TAKEN, PortTakenError, retryWhilePortTaken } from './net.ts';

/** A PostgreSQL server of its own for a test that must stop it; when DATABASE_URL is not set. */
export interface ThrowawayPostgres {
  readonly url: string;
  stop(): void;
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
  if (!bin) throw new Error('this test needs PostgreSQL: set DATABASE_URL or install postgresql (initdb)');
  return bin;
}

/** initdb into a temp dir and pg_ctl start on a free port (as user postgres when run as root). */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'ota-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]]
      : [join(bin, cmd), args];
    execFileSync(file, argv, { stdio: 'pipe' });
  };
  if (asRoot) {
    const ids = execFileSync('id', ['-u', 'postgres']).toString().trim();
    const gid = execFileSync('id', ['-g', 'postgres']).toString().trim();
    chownSync(dir, Number(ids), Number(gid));
  }
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '--auth=trust', '--username=postgres', '-E', 'UTF8']);
  // PostgreSQL cannot bind port 0: a picked port taken meanwhile is picked again (net.ts).
  const port = await retryWhilePortTaken(freePort, async (port) => {
    const log = join(dir, `log-${port}`);
    const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off`;
    try {
      run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', options, 'start']);
    } catch (error) {
      const said = existsSync(log) ? readFileSync(log, 'utf8') : '';
      if (PORT_TAKEN.test(said)) throw new PortTakenError(`port ${port} was taken: ${said}`);
      throw new Error(`pg_ctl start failed: ${said}`, { cause: error });
    }
    return port;
  });
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      const argv = ['-D', data, '-m', 'immediate', 'stop'];
      if (asRoot) spawnSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...argv]);
      else spawnSync(join(bin, 'pg_ctl'), argv);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
