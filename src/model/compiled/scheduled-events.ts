import { DateTime, IANAZone } from 'luxon';
import type { Diagnostic } from '../diagnostics.js';
import type { SourceFile } from '../load/source-file.js';
import type { ScheduledEventFile } from '../schema/index.js';
import { qualify } from './compile-domain.js';
import type { CMicroflow, SourceRef } from './types.js';

export type ScheduledEventUnit = ScheduledEventFile['interval']['unit'];

/** A scheduled event, checked: its microflow exists and takes no parameters, its start and zone parse. */
export interface CScheduledEvent {
  /** `Module.Name`: the name ScheduledEventExecution/MyScheduledEvents and the run records use. */
  readonly name: string;
  readonly module: string;
  readonly shortName: string;
  /** Qualified microflow name. */
  readonly microflow: string;
  readonly every: number;
  readonly unit: ScheduledEventUnit;
  /** The first period, epoch milliseconds. */
  readonly startMs: number;
  /** IANA zone of the calendar arithmetic (days and longer keep the local time of day in it): the event's, the app's, or UTC. */
  readonly timeZone: string;
  readonly overlap: 'skip' | 'delay';
  readonly enabled: boolean;
  readonly description?: string;
  readonly source: SourceRef;
}

/** ISO 8601 date-time with date and time; the offset is optional (then the event's zone applies). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Compiles the scheduled events: the microflow (known, parameterless), the
 * start (an ISO date-time, read in the event's zone when it has no offset),
 * the zone (an IANA name). Unit and every are the schema's.
 */
export function compileScheduledEvents(
  files: readonly { file: SourceFile; def: ScheduledEventFile }[],
  microflows: ReadonlyMap<string, CMicroflow>,
  out: Diagnostic[],
  /** app.yaml `scheduledEventTimeZone`: the zone of events that name none. */
  appZone?: { zone: string; file: SourceFile },
): Map<string, CScheduledEvent> {
  const events = new Map<string, CScheduledEvent>();
  let defaultZone = 'UTC';
  if (appZone && !IANAZone.isValidZone(appZone.zone))
    out.push(appZone.file.diagnostic(['scheduledEventTimeZone'], `unknown time zone '${appZone.zone}' (an IANA name such as Europe/Amsterdam or UTC)`));
  else if (appZone) defaultZone = appZone.zone;
  for (const { file, def } of files) {
    const module = file.module!;
    const shortName = file.unitName!;
    const name = `${module}.${shortName}`;
    let ok = true;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(shortName)) {
      out.push(file.diagnostic([], `scheduled event name '${shortName}' is not a valid identifier`));
      ok = false;
    }
    const microflow = qualify(def.microflow, module);
    const mf = microflows.get(microflow);
    if (!mf) {
      out.push(file.diagnostic(['microflow'], `unknown microflow '${def.microflow}' (write Module.Name)`));
      ok = false;
    } else if (Object.keys(mf.def.parameters ?? {}).length > 0) {
      out.push(
        file.diagnostic(
          ['microflow'],
          `the microflow ${microflow} of a scheduled event must have no parameters (it has ${Object.keys(mf.def.parameters ?? {}).join(', ')})`,
        ),
      );
      ok = false;
    }
    const timeZone = def.timeZone ?? defaultZone;
    if (!IANAZone.isValidZone(timeZone)) {
      out.push(file.diagnostic(['timeZone'], `unknown time zone '${timeZone}' (an IANA name such as Europe/Amsterdam or UTC)`));
      ok = false;
    }
    let startMs = Number.NaN;
    if (!ISO_DATE_TIME.test(def.start)) {
      out.push(file.diagnostic(['start'], `start '${def.start}' is not an ISO 8601 date and time such as 2026-01-01T00:00:00Z`));
      ok = false;
    } else if (ok || IANAZone.isValidZone(timeZone)) {
      const parsed = DateTime.fromISO(def.start, { zone: timeZone });
      if (!parsed.isValid) {
        out.push(file.diagnostic(['start'], `start '${def.start}' is not a valid date and time (${parsed.invalidExplanation ?? parsed.invalidReason})`));
        ok = false;
      } else startMs = parsed.toMillis();
    }
    if (!ok) continue;
    events.set(name, {
      name,
      module,
      shortName,
      microflow,
      every: def.interval.every,
      unit: def.interval.unit,
      startMs,
      timeZone,
      overlap: def.overlap ?? 'skip',
      enabled: def.enabled ?? true,
      ...(def.description !== undefined ? { description: def.description } : {}),
      source: { file, path: [] },
    });
  }
  return events;
}
