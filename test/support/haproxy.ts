import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './cli.js';

/**
 * Debian's HAProxy in front of Kiln instances, as docs/operations.md
 * recommends: round robin, health checks on `/health/ready`, a failed
 * connection retried on another server. Each answer carries `x-served-by`
 * (the server's name, s1, s2, ...) so a test can count who served it.
 */
export interface HaproxyProcess {
  readonly port: number;
  readonly base: string;
  readonly config: string;
  output(): string;
  /** `show stat` from the admin socket, one row per proxy/server (pxname, svname, status, stot, wretr, wredis, hrsp_5xx, ...). */
  stats(): Promise<Record<string, string>[]>;
  /** Any command on the admin socket (e.g. `set server kiln_instances/s1 state maint`); its answer. */
  admin(command: string): Promise<string>;
  stop(): Promise<void>;
}

export interface HaproxyOptions {
  /** The instances' ports on 127.0.0.1, named s1, s2, ... in order. */
  readonly backends: readonly number[];
  /** Health-check interval in ms (default 500); a server is down after `fall` failures (default 2) and up after `rise` successes (default 2). */
  readonly interMs?: number;
  readonly fall?: number;
  readonly rise?: number;
}

const HAPROXY = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';

function haproxyConfig(port: number, opts: HaproxyOptions, statsSocket?: string): string {
  const inter = opts.interMs ?? 500;
  return `global
  maxconn 512
${statsSocket ? `  stats socket ${statsSocket} mode 600 level admin\n` : ''}
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response response-timeout

frontend kiln
  bind 127.0.0.1:${port}
  default_backend kiln_instances

backend kiln_instances
  balance roundrobin
  option httpchk GET /health/ready
  http-check expect status 200
  # A state-changing request whose connection died may have committed: never replay it (only connection failures retry).
  http-request disable-l7-retry unless METH_GET || METH_HEAD
  http-response set-header x-served-by %s
  default-server inter ${inter} fastinter ${Math.max(100, Math.floor(inter / 2))} fall ${opts.fall ?? 2} rise ${opts.rise ?? 2}
${opts.backends.map((p, i) => `  server s${i + 1} 127.0.0.1:${p} check`).join('\n')}
`;
}

/** Writes the config to a temp folder and runs haproxy in the foreground; waits until it accepts connections. */
export async function startHaproxy(opts: HaproxyOptions): Promise<HaproxyProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'kiln-haproxy-'));
  const config = join(dir, 'haproxy.cfg');
  const socket = join(dir, 'admin.sock');
  writeFileSync(config, haproxyConfig(port, opts, socket));
  const check = spawnSync(HAPROXY, ['-c', '-q', '-f', config]);
  if (check.status !== 0) throw new Error(`haproxy refused the config:\n${check.stderr.toString()}${check.stdout.toString()}`);
  const child: ChildProcess = spawn(HAPROXY, ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}:\n${out}`);
    try {
      await fetch(`${base}/health`, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`haproxy did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    base,
    config,
    output: () => out,
    stats: () =>
      new Promise((resolve, reject) => {
        let text = '';
        const c = connect(socket, () => c.write('show stat\n'));
        c.on('data', (d) => {
          text += d;
        });
        c.on('error', reject);
        c.on('end', () => {
          const lines = text.split('\n').filter((l) => l.trim() !== '');
          const head = (lines.shift() ?? '').replace(/^# /, '').split(',');
          resolve(lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i] ?? String(i), v]))));
        });
      }),
    admin: (command: string) =>
      new Promise((resolve, reject) => {
        let text = '';
        const c = connect(socket, () => c.write(`${command}\n`));
        c.on('data', (d) => {
          text += d;
        });
        c.on('error', reject);
        c.on('end', () => resolve(text));
      }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
