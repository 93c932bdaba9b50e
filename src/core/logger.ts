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
 * JSON lines, or human-readable lines when `pretty` (the default on a terminal).
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream, opts: { pretty?: boolean } = {}): Logger {
  let nodes: LogNodes | undefined;
  const pretty = opts.pretty ?? (destination === undefined && process.stdout.isTTY === true);
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
    destination ?? (pretty ? prettyStream(process.stdout) : process.stdout),
  );
  nodes = new LogNodes(root);
  nodesOf.set(root, nodes);
  return root;
}

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Turns pino's JSON lines into `time LEVEL [node] message {rest}` lines for a person at a terminal. */
export function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, node, msg, ...rest } = o;
  const lvl = LEVEL_NAMES[Number(level)] ?? String(level);
  const err = rest.err as { stack?: string } | undefined;
  if (err?.stack) delete rest.err;
  const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
  const t = typeof time === 'string' ? time.slice(11, 23) : '';
  return `${t} ${lvl.padEnd(5)}${node ? ` [${String(node)}]` : ''} ${String(msg ?? '')}${extra}${err?.stack ? `\n${err.stack}` : ''}`;
}

function prettyStream(out: NodeJS.WritableStream): { write(s: string): void } {
  return {
    write(s: string) {
      out.write(`${prettyLine(s.endsWith('\n') ? s.slice(0, -1) : s)}\n`);
    },
  };
}
