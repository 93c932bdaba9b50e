import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './cli.js';

const run = promisify(execFile);

/**
 * A PRIVATE PostgreSQL cluster for fault tests: its own `initdb` in a temp
 * folder, its own port, started and stopped with `pg_ctl` — so a test may stop,
 * kill or restart it. The shared PostgreSQL on 5432 is never touched.
 *
 * As root (initdb refuses root) the cluster belongs to the `postgres` user and
 * the commands run through `runuser -u postgres --`.
 */
export interface PrivatePostgres {
  readonly port: number;
  /** `postgres://kiln@127.0.0.1:<port>/kiln` (trust authentication, local only). */
  readonly url: string;
  readonly dir: string;
  /** Starts the server and waits until it accepts connections. */
  start(): Promise<void>;
  /** `fast`: rolls back and disconnects sessions, then shuts down; `immediate`: like a crash (recovery at the next start). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  running(): boolean;
  /** A connection of the test's own (closed at cleanup). */
  client(): Promise<pg.Client>;
  /** The server's log so far (for failure messages). */
  log(): string;
  /** Stops the server (immediate) and removes its folder. */
  cleanup(): Promise<void>;
}

/** Where Debian puts the server binaries; PG_BIN overrides. */
function postgresBinDir(): string | undefined {
  const candidates = [
    process.env.PG_BIN,
    '/usr/lib/postgresql/15/bin',
    '/usr/lib/postgresql/16/bin',
    '/usr/lib/postgresql/17/bin',
    '/usr/lib/postgresql/14/bin',
  ];
  return candidates.find((d): d is string => d !== undefined && existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found (set PG_BIN)');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'kiln-pg-'));
  if (asRoot) {
    const uid = Number(spawnSync('id', ['-u', 'postgres']).stdout.toString().trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres']).stdout.toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const port = await freePort();
  const cmd = (tool: string, args: string[]) => {
    const file = join(bin, tool);
    return asRoot ? run('runuser', ['-u', 'postgres', '--', file, ...args], { cwd: dir }) : run(file, args, { cwd: dir });
  };
  await cmd('initdb', ['-D', data, '-U', 'kiln', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  let up = false;
  const clients: pg.Client[] = [];
  const opts = [
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=60',
    '-c',
    'shared_buffers=16MB',
  ].join(' ');
  const self: PrivatePostgres = {
    port,
    dir,
    url: `postgres://kiln@127.0.0.1:${port}/kiln`,
    async start() {
      await cmd('pg_ctl', ['-D', data, '-l', logFile, '-o', opts, '-w', '-t', '30', 'start']);
      up = true;
    },
    async stop(mode = 'fast') {
      await cmd('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
      up = false;
    },
    async restart(mode = 'fast') {
      await self.stop(mode);
      await self.start();
    },
    running: () => up,
    async client() {
      const c = new pg.Client({ connectionString: self.url });
      c.on('error', () => undefined);
      await c.connect();
      clients.push(c);
      return c;
    },
    log: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    async cleanup() {
      for (const c of clients) await c.end().catch(() => undefined);
      if (existsSync(join(data, 'postmaster.pid'))) await cmd('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await self.start();
  const admin = new pg.Client({ connectionString: `postgres://kiln@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query('CREATE DATABASE kiln');
  await admin.end();
  return self;
}
