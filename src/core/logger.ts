import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

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

/**
 * The log nodes of a process (the `node` binding of child loggers: Data, HTTP,
 * Microflows, ...) with levels changeable at run time: a node's level applies
 * to every child logger of that node, those made later included.
 */
export class LogNodes {
  private readonly nodes = new Map<string, { level: string | undefined; loggers: Set<WeakRef<Logger>> }>();

  constructor(readonly root: Logger) {}

  /** Called for every child logger pino makes. */
  register(child: Logger): void {
    const node = child.bindings().node;
    if (typeof node !== 'string') return;
    let entry = this.nodes.get(node);
    if (!entry) {
      entry = { level: undefined, loggers: new Set() };
      this.nodes.set(node, entry);
    }
    if (entry.level !== undefined) child.level = entry.level;
    entry.loggers.add(new WeakRef(child));
  }

  /** Sets a node's level (a Mendix or pino level); false when the level is unknown. */
  setLevel(node: string, level: string): boolean {
    const p = pinoLevel(level);
    if (!p) return false;
    let entry = this.nodes.get(node);
    if (!entry) {
      entry = { level: undefined, loggers: new Set() };
      this.nodes.set(node, entry);
    }
    entry.level = p;
    for (const ref of entry.loggers) {
      const l = ref.deref();
      if (l) l.level = p;
      else entry.loggers.delete(ref);
    }
    return true;
  }

  /** Every known node with its level, as Mendix names levels. */
  levels(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, e] of [...this.nodes].sort(([a], [b]) => a.localeCompare(b))) out[name] = mendixLevel(e.level ?? this.root.level);
    return out;
  }
}

const nodesOf = new WeakMap<Logger, LogNodes>();
const CHINDINGS = pino.symbols.chindingsSym;

/** The log nodes of a logger made by createLogger (or of one of its node loggers); undefined for other loggers. */
export function logNodesOf(log: Logger): LogNodes | undefined {
  return nodesOf.get(log);
}

/**
 * One pino logger for the process; components take child loggers named after their log node.
 * On a terminal (no destination given, stdout a TTY) the lines are readable, with colours
 * unless NO_COLOR is set (KILN_LOG_FORMAT=json keeps JSON); otherwise they are JSON, one
 * object a line, for log collectors.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  let nodes: LogNodes | undefined;
  const out =
    destination ?? (process.stdout.isTTY && process.env.KILN_LOG_FORMAT !== 'json' ? prettyStream(process.stdout, !process.env.NO_COLOR) : process.stdout);
  const root = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      // pino calls this with the parent as `this`. Only a child that names a node itself is
      // tracked: children of a node's logger (Fastify's one per request) take its level when made.
      onChild(this: Logger, child: Logger) {
        if (!nodes) return;
        const own = (child as unknown as Record<symbol, string>)[CHINDINGS]?.slice((this as unknown as Record<symbol, string>)[CHINDINGS]?.length ?? 0);
        if (own?.includes('"node":')) {
          nodes.register(child);
          nodesOf.set(child, nodes);
        }
      },
    },
    out,
  );
  nodes = new LogNodes(root);
  nodesOf.set(root, nodes);
  return root;
}

const LEVELS: Record<number, [string, number]> = {
  10: ['TRACE', 90],
  20: ['DEBUG', 36],
  30: ['INFO ', 32],
  40: ['WARN ', 33],
  50: ['ERROR', 31],
  60: ['FATAL', 35],
};

/** A small pretty-printer for pino's JSON lines: `12:00:01 INFO  HTTP  message key=value`. */
export function prettyStream(target: NodeJS.WritableStream, color: boolean): Writable {
  const paint = (code: number, s: string) => (color ? `\u001b[${code}m${s}\u001b[39m` : s);
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line) target.write(`${formatLine(line, paint)}\n`);
      done();
    },
  });
}

function formatLine(line: string, paint: (code: number, s: string) => string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { level, time, msg, node, err, ...rest } = o;
  const [name, code] = LEVELS[Number(level)] ?? ['LOG  ', 39];
  const t = typeof time === 'string' ? time.slice(11, 19) : '';
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const e = err && typeof err === 'object' ? `\n${String((err as { stack?: unknown }).stack ?? (err as { message?: unknown }).message ?? '')}` : '';
  return `${paint(90, t)} ${paint(code, name)} ${node ? paint(36, `${String(node)} `) : ''}${msg ?? ''}${fields ? ` ${paint(90, fields)}` : ''}${e}`;
}
