import { commitObjects, createObject, type Database, type IdGenerator } from '../data/index.js';
import type { CompiledModel } from '../model/compiled/types.js';
import { setValue } from '../objects/mx-object.js';
import { withStartupLock } from '../security/bootstrap.js';

/** The IANA zones the runtime knows (Node's Intl), UTC included. */
function timeZoneCodes(): string[] {
  const codes = Intl.supportedValuesOf('timeZone');
  return codes.includes('UTC') ? codes : ['UTC', ...codes];
}

/** Offsets of `zone` from UTC at each instant, in minutes (Europe/Amsterdam in January: 60): one formatter per zone. */
function offsetsMinutes(zone: string, at: readonly Date[]): number[] {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  return at.map((d) => {
    const name = f.formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
    return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  });
}

/**
 * What System.TimeZone holds for a zone, as Mendix fills it: RawOffset is the standard
 * offset in milliseconds (daylight saving left out: the smaller of January's and July's),
 * Description `(GMT+01:00) Europe/Amsterdam`.
 */
export function timeZoneRow(code: string, year = new Date().getUTCFullYear()): { code: string; description: string; rawOffset: number } {
  const raw = Math.min(...offsetsMinutes(code, [new Date(Date.UTC(year, 0, 1)), new Date(Date.UTC(year, 6, 1))]));
  const abs = Math.abs(raw);
  const gmt = `GMT${raw < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return { code, description: `(${gmt}) ${code.replace(/_/g, ' ')}`, rawOffset: raw * 60_000 };
}

/**
 * As Mendix at start-up: a System.TimeZone per IANA zone, so a user's System.User_TimeZone
 * can point at one. Idempotent and cheap: one SELECT of the codes there are; only the
 * missing zones (all of them on a new database, a handful after a Node upgrade) are
 * described and inserted, in one batched commit, under the start-up lock (and looked for
 * again there) so instances starting together insert each once.
 */
export async function ensureTimeZones(model: CompiledModel, db: Database, ids: IdGenerator): Promise<number> {
  const tz = model.entities.get('System.TimeZone');
  const code = tz?.attributes.get('Code');
  if (!tz || !code) return 0;
  const select = `SELECT ${db.dialect.quote(code.column)} AS code FROM ${db.dialect.quote(tz.table)}`;
  const missingNow = async () => {
    const have = new Set((await db.query<{ code: unknown }>(select, [])).map((r) => String(r.code)));
    return timeZoneCodes().filter((c) => !have.has(c));
  };
  // Every start after the first: one SELECT, no lock.
  if ((await missingNow()).length === 0) return 0;
  return withStartupLock(db, async () => {
    const missing = await missingNow();
    if (missing.length === 0) return 0;
    const objects: Awaited<ReturnType<typeof createObject>>[] = [];
    for (const c of missing) {
      const row = timeZoneRow(c);
      const o = await createObject(model, 'System.TimeZone', ids);
      setValue(o, 'Code', row.code);
      setValue(o, 'Description', row.description);
      setValue(o, 'RawOffset', row.rawOffset);
      objects.push(o);
    }
    await db.transaction((tx) => commitObjects(tx, model, objects));
    return objects.length;
  });
}
