import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { UserError } from '../model/diagnostics.js';
import { canonicalNode, LOG_NODES } from './log-node-names.js';
import { nodesOf } from './node-loggers.js';

export { logNodesOf, nodeLogger } from './node-loggers.js';

export type { Logger };

/** Mendix's log levels and pino's. */
const MENDIX_TO_PINO: Readonly<Record<string, string>> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARNING: 'warn',
  ERROR: 'error',
  CRITICAL: 'fatal',
  NONE: 'silent',
};
const PINO_TO_MENDIX: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(MENDIX_TO_PINO).map(([m, p]) => [p, m]));
const SILENT = Number.POSITIVE_INFINITY;

/** A Mendix level (TRACE … CRITICAL, NONE) or a pino one (trace … fatal, silent) as pino's; undefined when neither. */
export function pinoLevel(level: string): string | undefined {
  const up = MENDIX_TO_PINO[level.toUpperCase()];
  if (up) return up;
  const low = level.toLowerCase();
  return low in PINO_TO_MENDIX || low === 'warn' ? low : undefined;
}

/** A pino level as Mendix names it. */
export function mendixLevel(level: string): string {
  return PINO_TO_MENDIX[level] ?? level.toUpperCase();
}

const levelValue = (label: string): number => (label === 'silent' ? SILENT : (pino.levels.values[label] ?? pino.levels.values.info!));
const levelLabel = (value: number): string => (value === SILENT ? 'silent' : (pino.levels.labels[value] ?? 'info'));

/** Where a subscriber's lines go: one JSON line a call (console, file, syslog; log-outputs.ts). */
export interface LogOutput {
  write(line: string): void;
  close?(): void;
}

/**
 * A log subscriber as Mendix has them: an output with its own level for every
 * node (`autosubscribe` for the nodes not set one by one).
 */
interface Subscriber {
  readonly type: string;
  readonly output: LogOutput;
  level: number;
  readonly nodes: Map<string, number>;
}

/** The subscriber every process has: the console (stdout, or the destination given to createLogger). */
const CONSOLE_SUBSCRIBER = 'ConsoleLog';

/**
 * The log nodes of a process (the `node` binding of child loggers: ConnectionBus,
 * Jetty, MicroflowEngine, ...) and its log subscribers, with levels changeable at
 * run time. A line reaches a subscriber when its level is at least the
 * subscriber's level for the line's node; a node's loggers log at the lowest level
 * any subscriber wants of it, so nothing is formatted that no subscriber takes.
 */
const RUNTIME_NODES: ReadonlySet<string> = new Set(Object.values(LOG_NODES));

export class LogNodes {
  private readonly nodes = new Map<string, Set<WeakRef<Logger>>>();
  private readonly subscribers = new Map<string, Subscriber>();
  /** The node of a logger that wrote (children of a node's logger, Fastify's one per request, included). */
  private readonly nodeOf = new WeakMap<Logger, string>();

  constructor(
    readonly root: Logger,
    console: LogOutput,
  ) {
    this.subscribers.set(CONSOLE_SUBSCRIBER, { type: 'console', output: console, level: levelValue(root.level), nodes: new Map() });
  }

  /** Called for every child logger that names a node. */
  register(child: Logger, node: string): void {
    let loggers = this.nodes.get(node);
    if (!loggers) {
      loggers = new Set();
      this.nodes.set(node, loggers);
    }
    this.nodeOf.set(child, node);
    child.level = levelLabel(this.effective(node));
    loggers.add(new WeakRef(child));
  }

  /**
   * Sets a node's level (a Mendix or pino level; a former Kiln node name means the Mendix
   * node) for one subscriber, or for every subscriber when none is named. False when the
   * level or the subscriber is unknown.
   */
  setLevel(node: string, level: string, subscriber?: string): boolean {
    const p = pinoLevel(level);
    if (!p) return false;
    const targets = subscriber === undefined ? [...this.subscribers.values()] : [this.subscribers.get(subscriber)];
    if (targets.some((t) => !t)) return false;
    const name = canonicalNode(node);
    for (const t of targets) t?.nodes.set(name, levelValue(p));
    if (!this.nodes.has(name)) this.nodes.set(name, new Set());
    this.apply(name);
    return true;
  }

  /**
   * Whether a node exists: one of the runtime's own, or one something has logged to or a
   * level was set for (Mendix creates nodes on first use; `set_log_level` without `force`
   * refuses the others, so a typo is not silently kept).
   */
  hasNode(node: string): boolean {
    const name = canonicalNode(node);
    return this.nodes.has(name) || RUNTIME_NODES.has(name);
  }

  /** Every known node with its level for a subscriber (the console's by default), as Mendix names levels. */
  levels(subscriber = CONSOLE_SUBSCRIBER): Record<string, string> {
    const s = this.subscribers.get(subscriber);
    const out: Record<string, string> = {};
    if (!s) return out;
    for (const name of [...this.nodes.keys()].sort((a, b) => a.localeCompare(b))) out[name] = mendixLevel(levelLabel(s.nodes.get(name) ?? s.level));
    return out;
  }

  subscriberNames(): string[] {
    return [...this.subscribers.keys()];
  }

  /** Adds a subscriber logging every node at `level` (Mendix's `autosubscribe`; NONE: nothing until levels are set). */
  addSubscriber(name: string, type: string, output: LogOutput, level: string): 'added' | 'exists' | 'bad level' {
    if (this.subscribers.has(name)) return 'exists';
    const p = pinoLevel(level);
    if (!p) return 'bad level';
    this.subscribers.set(name, { type, output, level: levelValue(p), nodes: new Map() });
    this.applyAll();
    return 'added';
  }

  /** Removes a subscriber and closes its output; the console stays. */
  removeSubscriber(name: string): boolean {
    const s = this.subscribers.get(name);
    if (!s || name === CONSOLE_SUBSCRIBER) return false;
    this.subscribers.delete(name);
    s.output.close?.();
    this.applyAll();
    return true;
  }

  /** Closes every subscriber's output but the console's (at shut-down). */
  closeSubscribers(): void {
    for (const name of this.subscriberNames()) if (name !== CONSOLE_SUBSCRIBER) this.removeSubscriber(name);
  }

  /** Hands a line to the subscribers that want it (called by the destination, with the level and logger pino recorded). */
  route(line: string, level: number, logger: Logger | undefined): void {
    if (this.subscribers.size === 1) {
      // Only the console: the loggers' levels already are its levels.
      for (const s of this.subscribers.values()) s.output.write(line);
      return;
    }
    const node = logger ? this.nodeOfLogger(logger) : undefined;
    for (const s of this.subscribers.values()) if (level >= ((node !== undefined ? s.nodes.get(node) : undefined) ?? s.level)) s.output.write(line);
  }

  private nodeOfLogger(logger: Logger): string | undefined {
    let node = this.nodeOf.get(logger);
    if (node === undefined) {
      const bound = logger.bindings().node;
      node = typeof bound === 'string' ? bound : '';
      this.nodeOf.set(logger, node);
    }
    return node || undefined;
  }

  private effective(node: string | undefined): number {
    let min = SILENT;
    for (const s of this.subscribers.values()) min = Math.min(min, (node !== undefined ? s.nodes.get(node) : undefined) ?? s.level);
    return min;
  }

  private apply(node: string): void {
    const label = levelLabel(this.effective(node));
    const loggers = this.nodes.get(node);
    if (!loggers) return;
    for (const ref of loggers) {
      const l = ref.deref();
      if (l) l.level = label;
      else loggers.delete(ref);
    }
  }

  private applyAll(): void {
    this.root.level = levelLabel(this.effective(undefined));
    for (const node of this.nodes.keys()) this.apply(node);
  }
}

const CHINDINGS = pino.symbols.chindingsSym;

/**
 * One pino logger for the process; components take child loggers named after their log
 * node (log-node-names.ts). On a terminal (no destination given, stdout a TTY) the lines
 * are readable, through pino's pretty-printer (pino-pretty), with colours unless NO_COLOR
 * is set (KILN_LOG_FORMAT=json keeps JSON); otherwise they are JSON, one object a line,
 * for log collectors. Subscribers added through the admin API get the JSON lines too.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  if (!destination) keepRunningWithoutConsole();
  const start = pinoLevel(level);
  if (!start)
    throw new UserError(
      `LogLevel '${level}' is not a level: trace, debug, info, warn, error, fatal or silent (or TRACE, DEBUG, INFO, WARNING, ERROR, CRITICAL, NONE)`,
    );
  let nodes: LogNodes | undefined;
  const out =
    destination ?? (process.stdout.isTTY && process.env.KILN_LOG_FORMAT !== 'json' ? prettyStream(process.stdout, !process.env.NO_COLOR) : process.stdout);
  // pino sets lastLevel and lastLogger on a destination that asks for them, before each write.
  const router = {
    [pino.symbols.needsMetadataGsym]: true,
    lastLevel: 0,
    lastLogger: undefined as Logger | undefined,
    write(line: string) {
      if (nodes) nodes.route(line, this.lastLevel, this.lastLogger);
      else out.write(line);
    },
  };
  const root = pino(
    {
      level: start,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      // pino calls this with the parent as `this`. Only a child that names a node itself is
      // tracked: children of a node's logger (Fastify's one per request) take its level when made,
      // and know the process's nodes (nodeLogger).
      onChild(this: Logger, child: Logger) {
        if (!nodes) return;
        const own = (child as unknown as Record<symbol, string>)[CHINDINGS]?.slice((this as unknown as Record<symbol, string>)[CHINDINGS]?.length ?? 0);
        nodesOf.set(child, nodes);
        if (own?.includes('"node":')) {
          const node = child.bindings().node;
          if (typeof node === 'string') nodes.register(child, node);
        }
      },
    },
    router,
  );
  nodes = new LogNodes(root, { write: (line) => out.write(line) });
  nodesOf.set(root, nodes);
  return root;
}

/**
 * Readable lines for a terminal from pino's JSON lines, by pino-pretty (in this process,
 * not in its worker transport: kiln dev interleaves its own output with the log, and the
 * order must hold): `[12:00:01.234] INFO: ConnectionBus: database ready {"n":1}`.
 */
export function prettyStream(target: NodeJS.WritableStream, color: boolean): Writable {
  const pretty = prettyFactory({
    colorize: color,
    translateTime: 'HH:MM:ss.l',
    singleLine: true,
    ignore: 'node',
    messageFormat: (log, messageKey) => {
      const msg = String(log[messageKey] ?? '');
      return typeof log.node === 'string' ? `${log.node}: ${msg}` : msg;
    },
  });
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line) target.write(pretty(line));
      done();
    },
  });
}

let consoleGuarded = false;
/**
 * A console whose reader has gone must not end the process: m2ee-tools starts the runtime
 * with its output on a pipe and closes the pipe once the start command returned (the Java
 * runtime ignores such write errors). Without a listener the first log line after that is
 * an unhandled EPIPE; with it, the console's lines are dropped and the other log
 * subscribers (files, syslog) go on.
 */
function keepRunningWithoutConsole(): void {
  if (consoleGuarded) return;
  consoleGuarded = true;
  for (const s of [process.stdout, process.stderr]) s.on('error', () => undefined);
}
