import { createSocket } from 'node:dgram';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { pino } from 'pino';
import type { LogOutput } from './logger.js';

/**
 * The outputs of log subscribers created through the admin API
 * (`create_log_subscriber`, with the parameters m2ee-tools sends from the
 * `logging:` section of m2ee.yaml). Each takes pino's JSON lines.
 */

/** `type: file`: appends JSON lines to `filename`; past `max_size` bytes the file is rotated, keeping `max_rotation` old ones. */
export function fileOutput(filename: string, maxSize: number | undefined, maxRotation: number): LogOutput {
  // sonic-boom (pino's own destination): buffered, asynchronous appends; the folder is made if missing.
  const dest = pino.destination({ dest: filename, sync: false, mkdir: true, minLength: 0 });
  let size = 0;
  let closed = false;
  const rotate = () => {
    // filename.N (the oldest) goes; each older file moves up one; the current file becomes filename.1.
    if (maxRotation <= 0) rmSync(filename, { force: true });
    else {
      rmSync(`${filename}.${maxRotation}`, { force: true });
      for (let i = maxRotation - 1; i >= 1; i--) if (existsSync(`${filename}.${i}`)) renameSync(`${filename}.${i}`, `${filename}.${i + 1}`);
      if (existsSync(filename)) renameSync(filename, `${filename}.1`);
    }
    dest.reopen();
    size = 0;
  };
  return {
    write(line) {
      if (closed) return;
      if (maxSize !== undefined && maxSize > 0 && size > 0 && size + Buffer.byteLength(line) > maxSize) rotate();
      size += Buffer.byteLength(line);
      dest.write(line);
    },
    close() {
      closed = true;
      dest.end();
    },
  };
}

/** `type: console`: JSON lines on the process's standard output. */
export function consoleOutput(target: NodeJS.WritableStream = process.stdout): LogOutput {
  return { write: (line) => void target.write(line) };
}

const FACILITIES: Readonly<Record<string, number>> = {
  KERN: 0,
  USER: 1,
  MAIL: 2,
  DAEMON: 3,
  AUTH: 4,
  SYSLOG: 5,
  LOCAL0: 16,
  LOCAL1: 17,
  LOCAL2: 18,
  LOCAL3: 19,
  LOCAL4: 20,
  LOCAL5: 21,
  LOCAL6: 22,
  LOCAL7: 23,
};

/** The syslog facility named by m2ee.yaml's `facility` (LOCAL0 … LOCAL7, USER, DAEMON, …); undefined when unknown. */
export function syslogFacility(name: string): number | undefined {
  return FACILITIES[name.toUpperCase()];
}

/** pino's level → syslog severity (RFC 5424: 2 critical, 3 error, 4 warning, 6 informational, 7 debug). */
function severity(level: number): number {
  if (level >= 60) return 2;
  if (level >= 50) return 3;
  if (level >= 40) return 4;
  if (level >= 30) return 6;
  return 7;
}

/**
 * `type: syslog`: one UDP datagram a line in the BSD syslog format (RFC 3164), as the
 * Mendix runtime's syslog subscriber sends: `<PRI>Mmm dd hh:mm:ss host prefix: Node - message`.
 */
export function syslogOutput(host: string, port: number, facility: number, prefix: string): LogOutput {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.on('error', () => undefined);
  socket.unref();
  const me = hostname();
  return {
    write(line) {
      let o: { level?: unknown; msg?: unknown; node?: unknown };
      try {
        o = JSON.parse(line) as typeof o;
      } catch {
        return;
      }
      const pri = facility * 8 + severity(Number(o.level ?? 30));
      const d = new Date();
      const stamp = `${d.toLocaleString('en-US', { month: 'short' })} ${String(d.getDate()).padStart(2, ' ')} ${d.toTimeString().slice(0, 8)}`;
      const text = `${typeof o.node === 'string' ? `${o.node} - ` : ''}${String(o.msg ?? '')}`.replace(/[\r\n]+/g, ' ');
      socket.send(`<${pri}>${stamp} ${me} ${prefix}: ${text}`, port, host);
    },
    close() {
      socket.close();
    },
  };
}
