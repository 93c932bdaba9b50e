import { DateTime } from 'luxon';

/** The zone's current UTC offset as '+hh:mm'. */
export function zoneOffset(zone: string, now: Date): string {
  return DateTime.fromJSDate(now, { zone }).toFormat('ZZ');
}
