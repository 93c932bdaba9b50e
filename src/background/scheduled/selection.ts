import type { Settings } from '../../core/settings.js';
import type { CompiledModel } from '../../model/compiled/types.js';
import type { CScheduledEvent } from '../../model/compiled/scheduled-events.js';
import { UserError } from '../../model/diagnostics.js';

/**
 * The events this instance takes part in, as Mendix chooses them per
 * deployment: ScheduledEventExecution ALL (the events the model enables),
 * NONE, or SPECIFIED (the events MyScheduledEvents names, enabled or not: the
 * operator's explicit choice). A name that is no event, or an unknown mode,
 * fails the start with one line.
 */
export function selectEvents(model: CompiledModel, settings: Settings): CScheduledEvent[] {
  const events = [...(model.scheduledEvents?.values() ?? [])];
  const mode = String(settings.get('ScheduledEventExecution') ?? 'ALL')
    .trim()
    .toUpperCase();
  if (mode === 'NONE') return [];
  if (mode === 'ALL') return events.filter((e) => e.enabled);
  if (mode !== 'SPECIFIED') throw new UserError(`ScheduledEventExecution must be ALL, NONE or SPECIFIED, not '${settings.get('ScheduledEventExecution')}'`);
  const names = (settings.get('MyScheduledEvents') ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const byName = new Map(events.map((e) => [e.name.toLowerCase(), e]));
  const unknown = names.filter((n) => !byName.has(n.toLowerCase()));
  if (unknown.length > 0) {
    const known = events.map((e) => e.name).join(', ') || 'none';
    throw new UserError(`MyScheduledEvents names no scheduled event ${unknown.map((n) => `'${n}'`).join(', ')} (the model's: ${known})`);
  }
  return [...new Set(names.map((n) => byName.get(n.toLowerCase())!))];
}
