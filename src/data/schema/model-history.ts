import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Queryable } from '../database.js';
import { columnType } from '../dialects/ddl.js';
import { quoteIdentifier } from '../dialects/names.js';
import type { PendingRemoval } from './pending.js';
import type { StoredSchema } from './record.js';
import { SYS } from './system-tables.js';
import type { TableDef } from './types.js';

/**
 * Which model versions synchronised the database, in order
 * (`mendixsystem$modelhistory`: sequence, fingerprint, modelversionnumber,
 * syncdate). The fingerprint is a hash of the schema-relevant parts of the
 * model (tables, columns, types, lengths, defaults, indexes, enumeration keys)
 * and the app version of app.yaml; the sequence is monotonic. A model whose
 * fingerprint is the last one is current; one that appears earlier is older
 * (an instance of the previous version restarting during a rolling deploy):
 * it never changes the schema.
 */
export interface ModelHistoryEntry {
  readonly sequence: number;
  readonly fingerprint: string;
  readonly version: string;
  readonly syncDate: string;
}

export type ModelStanding =
  /** No history yet, or this fingerprint is the last one: synchronise as usual. */
  | { readonly kind: 'current'; readonly latest?: ModelHistoryEntry }
  /** Never seen: synchronise and record it as the next sequence. */
  | { readonly kind: 'new'; readonly next: number; readonly latest?: ModelHistoryEntry }
  /** Seen before a later one: do not change the schema. */
  | { readonly kind: 'older'; readonly self: ModelHistoryEntry; readonly latest: ModelHistoryEntry };

export function modelFingerprint(tables: readonly TableDef[], version: string): string {
  const h = createHash('sha256');
  // previousKeys say where a table came from, not what it is: not part of the fingerprint.
  h.update(JSON.stringify({ version, tables }, (key, value: unknown) => (key === 'previousKeys' ? undefined : value)));
  return h.digest('hex').slice(0, 32);
}

export async function readModelHistory(q: Queryable): Promise<ModelHistoryEntry[]> {
  const Q = (n: string) => quoteIdentifier(q.dialect, n);
  const rows = await q.query<Record<string, unknown>>(`SELECT * FROM ${Q(SYS.modelHistory)} ORDER BY ${Q('sequence')}`, []);
  return rows.map((r) => ({
    sequence: Number(r.sequence),
    fingerprint: String(r.fingerprint),
    version: String(r.modelversionnumber ?? ''),
    syncDate: String(r.syncdate ?? ''),
  }));
}

export function modelStanding(history: readonly ModelHistoryEntry[], fingerprint: string): ModelStanding {
  const latest = history.at(-1);
  if (!latest || latest.fingerprint === fingerprint) return latest ? { kind: 'current', latest } : { kind: 'current' };
  const self = history.findLast((e) => e.fingerprint === fingerprint);
  if (self) return { kind: 'older', self, latest };
  return { kind: 'new', next: latest.sequence + 1, latest };
}

/** The history row of a model synchronised now. */
export function historyInsert(
  k: Kysely<any>,
  sequence: number,
  fingerprint: string,
  version: string,
  now = new Date(),
): { sql: string; params: readonly unknown[] } {
  const c = k.insertInto(SYS.modelHistory).values({ sequence, fingerprint, modelversionnumber: version, syncdate: now.toISOString() }).compile();
  return { sql: c.sql, params: c.parameters };
}

/**
 * What an older model cannot live with in the schema a newer one left: a table
 * or column it needs that is not there, or stored differently. Extra tables and
 * columns are fine: Kiln creates every column nullable, so the older model's
 * inserts leave them empty. Empty = the older model can serve as it is.
 */
export function incompatibilities(
  q: Pick<Queryable, 'dialect'>,
  desired: readonly TableDef[],
  stored: StoredSchema,
  pending: readonly PendingRemoval[] = [],
): string[] {
  const d = q.dialect;
  // Removed by the newer model but kept for older instances (expand/contract): still there.
  const kept = (table: string, column: string) => pending.some((p) => p.table === table && (p.column === '' || p.column === column));
  const out: string[] = [];
  const byKey = new Map(stored.tables.map((t) => [`${t.kind}:${t.key}`, t]));
  const strings = new Set(['String', 'HashedString', 'Enumeration']);
  for (const t of desired) {
    const s = byKey.get(`${t.kind}:${t.key}`);
    if (!s && kept(t.table, '')) continue;
    if (!s || s.table !== t.table) {
      out.push(`it needs ${t.kind} ${t.key} (table ${t.table}), which the newer model renamed or removed`);
      continue;
    }
    const cols = new Map(s.columns.map((c) => [c.key, c]));
    for (const c of t.columns) {
      const sc = cols.get(c.key);
      if (!sc && kept(t.table, c.column)) continue;
      if (!sc || sc.column !== c.column) {
        out.push(`it needs attribute ${t.key}.${c.key} (column ${t.table}.${c.column}), which the newer model renamed or removed`);
        continue;
      }
      const wider = strings.has(sc.type) && strings.has(c.type) && (sc.length === 0 || (c.length !== 0 && sc.length >= c.length));
      if (!wider && columnType(d, sc.type, sc.length) !== columnType(d, c.type, c.length)) {
        out.push(
          `attribute ${t.key}.${c.key} is stored as ${sc.type}${sc.length ? `(${sc.length})` : ''} by the newer model, this one has ${c.type}${c.length ? `(${c.length})` : ''}`,
        );
      }
    }
  }
  return out;
}
