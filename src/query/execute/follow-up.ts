import type { CAssociation, CAttribute, CEntity, CompiledModel } from '../../model/compiled/types.js';
import type { QuerySyntax } from '../../data/dialects/query-syntax.js';
import type { MxObject } from '../../objects/mx-object.js';
import type { QueryExecutor } from './retrieve.js';
import { decodeId, decodeValue } from './decode.js';

const CHUNK = 500;

function chunks<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

/** Reference sets of the objects: one query per association (per 500 objects). */
export async function loadReferenceSets(db: QueryExecutor, syntax: QuerySyntax, objects: readonly MxObject[], sets: readonly CAssociation[]): Promise<void> {
  if (!objects.length) return;
  const q = syntax.quote;
  for (const r of sets) {
    const found = new Map<bigint, bigint[]>();
    for (const part of chunks(objects)) {
      const ph = part.map((_, j) => syntax.placeholder(j + 1)).join(', ');
      const text = `SELECT ${q(r.parentColumn)}, ${q(r.childColumn)} FROM ${q(r.table)} WHERE ${q(r.parentColumn)} IN (${ph}) ORDER BY ${q(r.childColumn)}`;
      for (const row of await db.query(text, part.map((o) => syntax.toParam('Id', o.id)))) {
        const p = decodeId(row[r.parentColumn]);
        const list = found.get(p) ?? [];
        list.push(decodeId(row[r.childColumn]));
        found.set(p, list);
      }
    }
    for (const o of objects) o.references.set(r.name, found.get(o.id) ?? []);
  }
}

/**
 * Objects of specializations found by a query on their generalization get the
 * members their own entity adds (as Mendix does: only when every attribute is
 * wanted, in one follow-up query per specialization).
 */
export async function loadSpecializationMembers(db: QueryExecutor, model: CompiledModel, syntax: QuerySyntax, queried: CEntity, objects: readonly MxObject[]): Promise<void> {
  const byType = new Map<string, MxObject[]>();
  for (const o of objects) if (o.entity !== queried.name) byType.set(o.entity, [...(byType.get(o.entity) ?? []), o]);
  const q = syntax.quote;
  for (const [type, objs] of byType) {
    const s = model.entities.get(type);
    if (!s) continue;
    const attrs: CAttribute[] = [...s.attributes.values()].filter((a) => !queried.attributes.has(a.name) && a.type !== 'Binary');
    const owned = s.parentOf.filter((a) => !queried.parentOf.includes(a)).map((a) => model.associations.get(a)!);
    if (attrs.length) {
      const tables = [...new Set(attrs.map((a) => a.entity))].map((e) => model.entities.get(e)!.table);
      const base = q(s.table);
      const joins = tables.filter((t) => t !== s.table).map((t) => ` INNER JOIN ${q(t)} ON ${q(t)}.${q('id')} = ${base}.${q('id')}`).join('');
      const cols = attrs.map((a) => `${q(model.entities.get(a.entity)!.table)}.${q(a.column)}`).join(', ');
      const byId = new Map(objs.map((o) => [o.id, o]));
      for (const part of chunks(objs)) {
        const ph = part.map((_, j) => syntax.placeholder(j + 1)).join(', ');
        const text = `SELECT ${base}.${q('id')}, ${cols} FROM ${base}${joins} WHERE ${base}.${q('id')} IN (${ph})`;
        for (const row of await db.query(text, part.map((o) => syntax.toParam('Id', o.id)))) {
          const o = byId.get(decodeId(row.id));
          if (o) for (const a of attrs) o.values.set(a.name, decodeValue(db.dialect, a, row[a.column]));
        }
      }
    }
    const singles = owned.filter((a) => a.type === 'Reference');
    for (const r of singles) {
      for (const part of chunks(objs)) {
        const ph = part.map((_, j) => syntax.placeholder(j + 1)).join(', ');
        const rows = await db.query(`SELECT ${q(r.parentColumn)}, ${q(r.childColumn)} FROM ${q(r.table)} WHERE ${q(r.parentColumn)} IN (${ph})`, part.map((o) => syntax.toParam('Id', o.id)));
        const m = new Map(rows.map((row) => [decodeId(row[r.parentColumn]), decodeId(row[r.childColumn])]));
        for (const o of part) o.references.set(r.name, m.get(o.id) ?? null);
      }
    }
    await loadReferenceSets(db, syntax, objs, owned.filter((a) => a.type === 'ReferenceSet'));
  }
}
