import { obj, str } from './model-index.js';
import type { Reporter } from './report.js';
import type { MxObject } from './units.js';

type Json = Record<string, unknown>;

const UNITS: Readonly<Record<string, string>> = {
  Second: 'seconds',
  Minute: 'minutes',
  Hour: 'hours',
  Day: 'days',
  Week: 'weeks',
  Month: 'months',
  Year: 'years',
};

/**
 * A Mendix scheduled event (ScheduledEvents$ScheduledEvent) as a Kiln scheduled-event file:
 * microflow, interval (Interval × IntervalType), start (StartDateTime, epoch milliseconds
 * or a date), overlap (skip unless the event delays the next run), enabled. Mendix's
 * "server" time zone is read as UTC, which is what Kiln's server runs on; that is noted.
 */
export function convertScheduledEvent(module: string, name: string, doc: MxObject, reporter: Reporter): Json | undefined {
  const q = `${module}.${name}`;
  const notes: string[] = [];
  const microflow = str(doc.Microflow);
  const unit = UNITS[str(doc.IntervalType)];
  if (!microflow || !unit) {
    reporter.skip('scheduled event', q, !microflow ? 'it names no microflow' : `interval type '${str(doc.IntervalType)}' has no Kiln form`);
    return undefined;
  }
  const every = Math.max(1, Math.trunc(Number(doc.Interval ?? 1)) || 1);
  const start = startOf(doc.StartDateTime);
  if (!start) notes.push(`start '${String(doc.StartDateTime)}' is not a date: 2000-01-01T00:00:00Z used`);
  if (/server/i.test(str(doc.TimeZone))) notes.push("the 'server' time zone is read as UTC");
  const overlap = /delay/i.test(str(doc.Overlap ?? obj(doc.Overlap)?.$Type)) ? 'delay' : 'skip';
  reporter.count('scheduled event', notes, q);
  return {
    ...(str(doc.Documentation) ? { description: str(doc.Documentation) } : {}),
    microflow,
    interval: { every, unit },
    start: start ?? '2000-01-01T00:00:00Z',
    overlap,
    ...(doc.Enabled === false ? { enabled: false } : {}),
  };
}

function startOf(v: unknown): string | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString().replace('.000Z', 'Z');
  const s = typeof v === 'number' || typeof v === 'bigint' ? String(v) : str(v);
  const d = /^\d+$/.test(s) ? new Date(Number(s)) : new Date(s);
  return s && !Number.isNaN(d.getTime()) ? d.toISOString().replace('.000Z', 'Z') : undefined;
}
