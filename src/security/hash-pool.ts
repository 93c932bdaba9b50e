import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * bcrypt off the event loop: every hash and comparison of a password runs in
 * a small pool of worker threads, at most `size` at a time; further requests
 * wait in a queue (first come, first served). bcryptjs is pure JavaScript, so
 * on the main thread one comparison at cost 12 blocks every other request of
 * the instance for about a quarter of a second.
 *
 * One pool per process (a process that runs several runtimes, as the tests
 * do, shares the CPUs anyway). Its workers are unref'd: an idle pool never
 * keeps the process alive. The worker's code is a data: URL importing
 * bcryptjs by its resolved file URL, so the same code runs from dist/ (built
 * by tsc) and from the TypeScript sources under vitest, without a separate
 * worker file or `eval`.
 */
const require = createRequire(import.meta.url);
const BCRYPT_URL = pathToFileURL(require.resolve('bcryptjs')).href;

const WORKER_SOURCE = `
import { parentPort } from 'node:worker_threads';
const m = await import(${JSON.stringify(BCRYPT_URL)});
const bcrypt = m.default ?? m;
parentPort.on('message', async ({ op, plain, arg }) => {
  try {
    const result = op === 'hash' ? await bcrypt.hash(plain, arg) : await bcrypt.compare(plain, arg);
    parentPort.postMessage({ ok: true, result });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
`;
const WORKER_URL = new URL(`data:text/javascript,${encodeURIComponent(WORKER_SOURCE)}`);

interface Task {
  readonly op: 'hash' | 'compare';
  readonly plain: string;
  /** The cost (hash) or the stored hash (compare). */
  readonly arg: number | string;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

interface Slot {
  readonly worker: Worker;
  task?: Task;
}

/** The default size: one thread less than the machine's cores, at least one. */
export function defaultHashThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

export class HashPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];

  constructor(private size: number) {}

  /** Changes the number of threads; extra idle workers end, busy ones finish their task first. */
  resize(size: number): void {
    this.size = size;
    this.trim();
    this.pump();
  }

  hash(plain: string, cost: number): Promise<string> {
    return this.run('hash', plain, cost) as Promise<string>;
  }

  compare(plain: string, hash: string): Promise<boolean> {
    return this.run('compare', plain, hash) as Promise<boolean>;
  }

  /** Ends the idle workers (a later hash starts them again). */
  async close(): Promise<void> {
    const idle = this.slots.filter((s) => !s.task);
    for (const s of idle) this.slots.splice(this.slots.indexOf(s), 1);
    await Promise.all(idle.map((s) => s.worker.terminate()));
  }

  private run(op: Task['op'], plain: string, arg: number | string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, plain, arg, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.task);
      if (!slot) {
        if (this.slots.length >= this.size) return;
        slot = this.start();
      }
      const task = this.queue.shift()!;
      slot.task = task;
      slot.worker.ref();
      slot.worker.postMessage({ op: task.op, plain: task.plain, arg: task.arg });
    }
    this.trim();
  }

  private start(): Slot {
    const worker = new Worker(WORKER_URL);
    worker.unref();
    const slot: Slot = { worker };
    worker.on('message', (m: { ok: boolean; result?: unknown; error?: string }) => {
      const task = slot.task;
      slot.task = undefined;
      worker.unref();
      if (task) {
        if (m.ok) task.resolve(m.result);
        else task.reject(new Error(m.error));
      }
      this.pump();
    });
    // A worker that fails or exits takes its task with it; the next task starts a new worker.
    const gone = (e: Error) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const task = slot.task;
      slot.task = undefined;
      task?.reject(e);
      this.pump();
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`password hash worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  /** Ends idle workers beyond the size. */
  private trim(): void {
    while (this.slots.length > this.size) {
      const idle = this.slots.find((s) => !s.task);
      if (!idle) return;
      this.slots.splice(this.slots.indexOf(idle), 1);
      void idle.worker.terminate();
    }
  }
}

let shared: HashPool | undefined;

/** The process's pool, started with the default size unless `configureHashPool` set one. */
export function hashPool(): HashPool {
  shared ??= new HashPool(defaultHashThreads());
  return shared;
}

/** Sets the number of hash threads (the PasswordHashThreads setting). */
export function configureHashPool(size: number): void {
  hashPool().resize(size);
}
