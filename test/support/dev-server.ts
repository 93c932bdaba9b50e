import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, freePort, KILN, ROOT } from './cli.js';

/** Polls `fn` until it gives a value (errors count as "not yet"). */
export async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve(fn()).catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface DevEvent {
  readonly version: number;
  readonly errors: string;
  readonly destructive?: string;
}

/** Reads the server-sent events of /dev/events into a list. */
export function listenToDev(port: number): { events: DevEvent[]; close(): void } {
  const events: DevEvent[] = [];
  const ac = new AbortController();
  void (async () => {
    const res = await fetch(`http://127.0.0.1:${port}/dev/events`, { signal: ac.signal });
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const data = /^data: (.*)$/m.exec(buf.slice(0, i))?.[1];
        if (data) events.push(JSON.parse(data) as DevEvent);
        buf = buf.slice(i + 2);
      }
    }
  })().catch(() => undefined);
  return { events, close: () => ac.abort() };
}

export interface DevServer {
  readonly app: string;
  readonly deploymentDir: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * `kiln dev` on a copy of an example app (or, with `folder`, on that app folder as it
 * is), with the embedded SQLite in a fresh deployment folder and standard input a pipe;
 * with `tty`, run under `script` so that kiln sees a terminal (a pseudo-terminal whose
 * input is the pipe).
 */
export async function startDev(example: string, opts: { tty?: boolean; args?: string[]; folder?: string } = {}): Promise<DevServer> {
  let app = opts.folder;
  if (!app) {
    app = mkdtempSync(join(tmpdir(), 'kiln-dev-'));
    cpSync(join(ROOT, 'examples', example), app, { recursive: true });
  }
  const deploymentDir = mkdtempSync(join(tmpdir(), 'kiln-dep-'));
  const port = await freePort();
  const argv = [KILN, 'dev', app, '--port', String(port), '--deployment-dir', deploymentDir, ...(opts.args ?? [])];
  const env = { ...cleanEnv(), KILN_HOST: '127.0.0.1', KILN_HASH_ALGORITHM_COST: '4', NO_COLOR: '1' };
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const child = opts.tty
    ? spawn('script', ['-qfec', [process.execPath, ...argv].map(quote).join(' '), '/dev/null'], { cwd: ROOT, env })
    : spawn(process.execPath, argv, { cwd: ROOT, env });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const server: DevServer = {
    app,
    deploymentDir,
    port,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return;
      // Under script, Ctrl-C through the terminal reaches kiln as SIGINT; otherwise a signal to the process.
      if (opts.tty) child.stdin?.write('\u0003');
      else child.kill('SIGTERM');
      const late = setTimeout(() => child.kill('SIGKILL'), 15000);
      await exited;
      clearTimeout(late);
    },
  };
  try {
    await until('health', async () => ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200 ? true : undefined), 60000);
  } catch (e) {
    await server.stop();
    throw new Error(`${(e as Error).message}; output:\n${out}`);
  }
  return server;
}
