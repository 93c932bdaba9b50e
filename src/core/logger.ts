import { pino, type Logger } from 'pino';

export type { Logger };

/** One pino logger for the process; components take child loggers named after their log node. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination ?? process.stdout);
}
