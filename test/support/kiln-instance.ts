import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, freePort, KILN, ROOT } from './cli.js';

/**
 * A Kiln instance as its own process (`node bin/kiln.js run <app> --db <url>
 * --port <p>`), for tests that signal or kill it. Needs `npm run build` first
 * (the test command builds before vitest).
 */
export interface KilnInstance {
  readonly child: ChildProcess;
  readonly port: number;
  readonly base: string;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves when the process has exited: its code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the signal (default SIGTERM) unless it has exited, and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface InstanceOptions {
  /** The app folder (copied by `copyExample`). */
  readonly appDir: string;
  readonly db: string;
  readonly port?: number;
  /** Its own deployment folder (instances sharing an app folder must not share one). */
  readonly deploymentDir?: string;
  /** Settings as KILN_* environment variables, e.g. { KILN_SHUTDOWN_TIMEOUT: '3000' }. */
  readonly env?: Record<string, string>;
  /** Wait for this path to answer 200 (default /health/ready). */
  readonly waitFor?: string;
  readonly timeoutMs?: number;
}

/** Copies an example app into a temp folder (without its .deployment); `remove` deletes it. */
export function copyExample(example: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `kiln-${example}-`));
  cpSync(join(ROOT, 'examples', example), dir, { recursive: true, filter: (src) => !src.includes('.deployment') });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startInstance(opts: InstanceOptions): Promise<KilnInstance> {
  const port = opts.port ?? (await freePort());
  const args = [KILN, 'run', opts.appDir, '--db', opts.db, '--port', String(port)];
  if (opts.deploymentDir) args.push('--deployment-dir', opts.deploymentDir);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...cleanEnv(), KILN_HOST: '127.0.0.1', KILN_HASH_ALGORITHM_COST: '4', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 60000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`kiln run exited with ${child.exitCode ?? child.signalCode}:\n${out}`);
    try {
      const res = await fetch(`${base}${opts.waitFor ?? '/health/ready'}`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`kiln run did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    port,
    base,
    exited,
    output: () => out,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
