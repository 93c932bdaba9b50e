import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One pino logger for the process; components take child loggers named after their log node.
 * On a terminal (no destination given, stdout a TTY) the lines are readable, with colours
 * unless NO_COLOR is set; otherwise they are JSON, one object a line, for log collectors.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const out =
    destination ?? (process.stdout.isTTY && process.env.KILN_LOG_FORMAT !== 'json' ? prettyStream(process.stdout, !process.env.NO_COLOR) : process.stdout);
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, out);
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
