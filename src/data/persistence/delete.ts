import type { CAssociation, CompiledModel } from '../../model/compiled/types.js';
import type { MxObject } from '../../objects/mx-object.js';
import type { ObjectId } from '../../objects/values.js';
import type { Queryable } from '../database.js';
import { decodeId, encodeId } from '../dialects/value-codecs.js';
import { DeletePreventedError } from '../errors.js';
import { entityMap } from './mapping.js';
import { push, retrieveByIds } from './retrieve.js';
import { chunks, SqlWriter } from './sql.js';
import { unlinkChildren, unlinkParents } from './association-rows.js';

/**
 * Deletes objects with the delete behaviour of their associations:
 * - cascade: the associated objects are deleted too (and their associations in turn);
 * - prevent: nothing is deleted and DeletePreventedError carries the model's message;
 * - keep: only the association rows go.
 * Every check runs before the first DELETE, so a prevented delete writes
 * nothing. Returns every object deleted, the cascaded ones included (for the
 * caller's delete events and the client's `deletes`).
 */
export interface DeleteOptions {
  /**
   * Called with every object about to be deleted (the cascaded ones included),
   * after the delete-behaviour checks passed and before the first DELETE: the
   * place for before-delete event handlers. Throwing cancels the delete; the
   * objects it returns are kept (a handler that answered false without raising).
   */
  readonly beforeDelete?: (objects: readonly MxObject[]) => Promise<readonly MxObject[] | undefined>;
}

export async function deleteObjects(tx: Queryable, model: CompiledModel, objects: readonly MxObject[], opts: DeleteOptions = {}): Promise<MxObject[]> {
  const deleted = new Map<ObjectId, MxObject>();
  let batch = objects.filter((o) => !deleted.has(o.id));
  for (const o of batch) deleted.set(o.id, o);

  while (batch.length) {
    const next: MxObject[] = [];
    // Association by association: the objects of this batch on its parent side, then on its child side.
    const sides = new Map<string, { a: CAssociation; parents: MxObject[]; children: MxObject[] }>();
    for (const o of batch) {
      const m = entityMap(model, o.entity);
      for (const a of m.owned) side(sides, a).parents.push(o);
      for (const a of m.referredBy) side(sides, a).children.push(o);
    }
    for (const { a, parents, children } of sides.values()) {
      for (const [objs, behavior, mine, other, otherEntity] of [
        [parents, a.onDeleteParent, a.parentColumn, a.childColumn, a.child],
        [children, a.onDeleteChild, a.childColumn, a.parentColumn, a.parent],
      ] as const) {
        if (objs.length === 0 || behavior.kind === 'keep') continue;
        const related = (
          await associated(
            tx,
            a.table,
            mine,
            other,
            objs.map((o) => o.id),
          )
        ).filter((id) => !deleted.has(id));
        if (related.length === 0) continue;
        if (behavior.kind === 'prevent') {
          throw new DeletePreventedError(
            behavior.message,
            objs[0]!.entity,
            a.name,
            objs.map((o) => o.id),
          );
        }
        for (const r of await retrieveByIds(tx, model, otherEntity, related)) {
          if (deleted.has(r.id)) continue;
          deleted.set(r.id, r);
          next.push(r);
        }
      }
    }
    batch = next;
  }

  let all = [...deleted.values()];
  if (opts.beforeDelete) {
    const kept = new Set((await opts.beforeDelete(all))?.map((o) => o.id));
    if (kept.size) all = all.filter((o) => !kept.has(o.id));
  }
  // Association rows of every deleted object, either side.
  const assocs = new Map<string, { a: CAssociation; parents: MxObject[]; children: MxObject[] }>();
  for (const o of all) {
    const m = entityMap(model, o.entity);
    for (const a of m.owned) side(assocs, a).parents.push(o);
    for (const a of m.referredBy) side(assocs, a).children.push(o);
  }
  for (const { a, parents, children } of assocs.values()) {
    // Column storage: a deleted parent's link goes with its row (deleted below).
    if (a.storage === 'table')
      await unlinkParents(
        tx,
        a,
        parents.map((o) => o.id),
      );
    await unlinkChildren(
      tx,
      a,
      children.map((o) => o.id),
    );
  }
  // The objects' rows in every table of their chains.
  const byEntity = new Map<string, MxObject[]>();
  for (const o of all) push(byEntity, o.entity, o);
  for (const [entity, objs] of byEntity) {
    for (const t of entityMap(model, entity).tables) {
      for (const part of chunks(tx.dialect, objs, 1)) {
        const w = new SqlWriter(tx.dialect);
        await tx.execute(`DELETE FROM ${w.q(t.table)} WHERE ${w.q('id')} ${w.inList(part.map((o) => encodeId(tx.dialect, o.id)))}`, w.params);
      }
    }
  }
  return all;
}

function side(m: Map<string, { a: CAssociation; parents: MxObject[]; children: MxObject[] }>, a: CAssociation) {
  let s = m.get(a.name);
  if (!s) {
    s = { a, parents: [], children: [] };
    m.set(a.name, s);
  }
  return s;
}

async function associated(q: Queryable, table: string, mine: string, other: string, ids: readonly ObjectId[]): Promise<ObjectId[]> {
  const out: ObjectId[] = [];
  for (const part of chunks(q.dialect, ids, 1)) {
    const w = new SqlWriter(q.dialect);
    // `other IS NOT NULL`: a column-stored association's empty link is a row with NULL.
    const rows = await q.query(
      `SELECT ${w.q(other)} FROM ${w.q(table)} WHERE ${w.q(mine)} ${w.inList(part.map((id) => encodeId(q.dialect, id)))} AND ${w.q(other)} IS NOT NULL`,
      w.params,
    );
    for (const r of rows) out.push(decodeId(r[other]));
  }
  return [...new Set(out)];
}
