import type { CAssociation } from '../../model/compiled/types.js';
import type { ObjectId } from '../../objects/values.js';
import type { Queryable } from '../database.js';
import { chunks, SqlWriter } from './sql.js';

/**
 * The writes of an association's links over both storage formats. Table
 * storage: rows (parent, child) of the association table. Column storage
 * (Mendix's format Column): the child's id in a column of the parent's row,
 * so a link is set or emptied by an UPDATE of that row, and a parent row
 * deleted takes its link with it.
 */

/** Removes the links of these parents. */
export async function unlinkParents(tx: Queryable, a: CAssociation, parents: readonly ObjectId[]): Promise<void> {
  const enc = tx.dialect.values.encodeId;
  for (const part of chunks(tx.dialect, parents, 1)) {
    if (part.length === 0) continue;
    const w = new SqlWriter(tx.dialect);
    const sql =
      a.storage === 'column'
        ? `UPDATE ${w.q(a.table)} SET ${w.q(a.childColumn)} = NULL WHERE ${w.q('id')} ${w.inList(part.map(enc))}`
        : `DELETE FROM ${w.q(a.table)} WHERE ${w.q(a.parentColumn)} ${w.inList(part.map(enc))}`;
    await tx.execute(sql, w.params);
  }
}

/** Removes the links to these children. */
export async function unlinkChildren(tx: Queryable, a: CAssociation, children: readonly ObjectId[]): Promise<void> {
  const enc = tx.dialect.values.encodeId;
  for (const part of chunks(tx.dialect, children, 1)) {
    if (part.length === 0) continue;
    const w = new SqlWriter(tx.dialect);
    const sql =
      a.storage === 'column'
        ? `UPDATE ${w.q(a.table)} SET ${w.q(a.childColumn)} = NULL WHERE ${w.q(a.childColumn)} ${w.inList(part.map(enc))}`
        : `DELETE FROM ${w.q(a.table)} WHERE ${w.q(a.childColumn)} ${w.inList(part.map(enc))}`;
    await tx.execute(sql, w.params);
  }
}

/** Adds links (parent, child); the parents' rows exist already (the commit writes objects first). */
export async function linkPairs(tx: Queryable, a: CAssociation, pairs: readonly [ObjectId, ObjectId][]): Promise<void> {
  const enc = tx.dialect.values.encodeId;
  for (const part of chunks(tx.dialect, pairs, 3)) {
    if (part.length === 0) continue;
    const w = new SqlWriter(tx.dialect);
    if (a.storage === 'column') {
      // PostgreSQL types a CASE result from its parameters (text) unless told.
      const cast = tx.dialect.name === 'postgres' ? '::bigint' : '';
      const cases = part.map(([p, c]) => `WHEN ${w.p(enc(p))} THEN ${w.p(enc(c))}${cast}`).join(' ');
      const ids = w.inList(part.map(([p]) => enc(p)));
      await tx.execute(`UPDATE ${w.q(a.table)} SET ${w.q(a.childColumn)} = CASE ${w.q('id')} ${cases} END WHERE ${w.q('id')} ${ids}`, w.params);
    } else {
      const values = part.map(([p, c]) => `(${w.p(enc(p))}, ${w.p(enc(c))})`).join(', ');
      await tx.execute(`INSERT INTO ${w.q(a.table)} (${w.q(a.parentColumn)}, ${w.q(a.childColumn)}) VALUES ${values}`, w.params);
    }
  }
}
