// The load loop and readiness wait that the integration benchmarks share.
import type { ChildProcess } from 'node:child_process';

/** Requests per second of `connections` keep-alive fetch loops on `url` for `seconds`; any non-200 aborts the run. */
export async function load(url: string, opts: { seconds: number; connections: number; headers?: Record<string, string> }): Promise<number> {
  const end = Date.now() + opts.seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: opts.connections }, async () => {
      while (Date.now() < end) {
        const r = await fetch(url, { headers: opts.headers ?? {} });
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
        n++;
      }
    }),
  );
  return n / opts.seconds;
}

/** Waits until `url` answers 2xx (polling every 100 ms, at most `tries` times), failing early when the child process exits. */
export async function waitFor(url: string, child: ChildProcess, tries = 600): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited`);
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}: not up`);
}
