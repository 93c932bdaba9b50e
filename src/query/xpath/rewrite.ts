import type { CompiledModel } from '../../model/compiled/types.js';
import { XPathResolveError } from '../errors.js';
import type { XExpr, XQuery, XStep } from './ast.js';

/**
 * `//A[pA]/M.Assoc/B[pB]` returns the B objects related to an A matching pA:
 * rewritten to `//B[pB][M.Assoc/A[pA]]` (the association followed back), so
 * the rest of the engine sees one entity with constraints. Positions are kept.
 */
export function rewriteQueryPath(model: CompiledModel, q: XQuery): XQuery {
  if (!q.path?.length || !q.entity) return q;
  const err = (pos: number, msg: string) => new XPathResolveError(msg, pos, q.text);
  let cur = q.entity;
  let curPos = q.entityPos;
  let preds: readonly XExpr[] = q.predicates;
  const steps = q.path;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    // A short association name (as access rules and pages allow) is one of the current entity's associations.
    const own = model.entities.get(cur);
    const short = s.name.includes('.') ? undefined : [...new Set([...(own?.parentOf ?? []), ...(own?.childOf ?? [])])].filter((n) => n.endsWith(`.${s.name}`));
    const a = model.associations.get(short?.length === 1 ? short[0]! : s.name);
    if (!a) {
      if (model.entities.has(s.name)) throw err(s.pos, `expected an association from ${cur} here, found the entity '${s.name}'`);
      throw err(
        s.pos,
        `unknown association '${s.name}'${s.name.startsWith('System.') ? ' (a query path cannot start from System.owner / System.changedBy)' : ''}`,
      );
    }
    const e = model.entities.get(cur);
    if (!e) throw err(curPos, `unknown entity '${cur}'`);
    const isParent = e.chain.includes(a.parent);
    const isChild = e.chain.includes(a.child);
    if (!isParent && !isChild) throw err(s.pos, `the association ${a.name} (${a.parent} -> ${a.child}) does not start or end at ${e.name}`);
    const self = isParent && isChild;
    const forward = self ? !s.reversed : isParent;
    let target = forward ? a.child : a.parent;
    let targetPos = s.pos;
    const nx = steps[i + 1];
    let targetPreds: readonly XExpr[] = s.predicates;
    if (nx && model.entities.has(nx.name)) {
      target = nx.name;
      targetPos = nx.pos;
      targetPreds = [...s.predicates, ...nx.predicates];
      i++;
    }
    // Back from the target to the current entity over the same association.
    const back: XStep[] = [
      { name: a.name, predicates: [], reversed: self ? forward : false, pos: s.pos },
      { name: cur, predicates: preds, reversed: false, pos: curPos },
    ];
    preds = [...targetPreds, { kind: 'path', steps: back, pos: s.pos }];
    cur = target;
    curPos = targetPos;
  }
  const { path: _path, ...rest } = q;
  void _path;
  return { ...rest, entity: cur, entityPos: curPos, predicates: preds };
}
