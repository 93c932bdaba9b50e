import type { CEntity } from '../../../model/compiled/types.js';
import { setReference, setValue, type MxObject } from '../../../objects/mx-object.js';
import { coerceValue } from '../../expressions/compile.js';
import { ExpressionError } from '../../expressions/runtime.js';
import { assignable, attributeXType, T, typeToString } from '../../expressions/types.js';
import type { BlockState, MicroflowCompiler, Path, StepExpr } from '../compiler.js';
import type { Run } from '../run.js';
import { listOf } from './types.js';

/** Member assignments of create and change, their commit mode and the client refresh. */
interface MemberSetter {
  apply(o: MxObject, r: Run): void;
  readonly expr: StepExpr;
}

/** `set: { Attr: expr, Module.Assoc: expr }` (and `add`/`remove` for reference sets). */
export function memberSetters(
  c: MicroflowCompiler,
  entity: CEntity,
  values: Readonly<Record<string, unknown>> | undefined,
  path: Path,
  st: BlockState,
  mode: 'set' | 'add' | 'remove',
): MemberSetter[] {
  const out: MemberSetter[] = [];
  for (const [member, value] of Object.entries(values ?? {})) {
    const p = [...path, member];
    if (member.includes('.')) {
      const a = c.model.associations.get(member);
      if (!a) {
        c.error(p, `unknown association '${member}'`);
        continue;
      }
      // Owned by both ends: the child's objects hold it too, as the ids of their parents.
      const fromChild = !entity.parentOf.includes(a.name) && !!entity.alsoOwns?.includes(a.name);
      if (!entity.parentOf.includes(a.name) && !fromChild) {
        c.error(p, `${entity.name} does not own ${a.name} (its owner is ${a.parent}): set it on the owner`);
        continue;
      }
      const other = fromChild ? a.parent : a.child;
      if (mode !== 'set' && a.type !== 'ReferenceSet') {
        c.error(p, `${mode} works on reference sets; ${a.name} is a reference`);
        continue;
      }
      const wantList = a.type === 'ReferenceSet' && mode === 'set';
      const e = c.expr(value, p, st.scope, undefined, `value of ${member}`);
      if (!e) continue;
      const okType =
        e.type.kind === 'Empty' ||
        e.type.kind === 'Unknown' ||
        (e.type.kind === 'Object' && assignable(c.model, e.type, T.object(other))) ||
        ((wantList || mode !== 'set') && e.type.kind === 'List' && assignable(c.model, e.type, T.list(other)));
      if (!okType) {
        c.error(p, `${member} refers to ${other}${wantList ? ' (a list)' : ''}, not ${typeToString(e.type)}`);
        continue;
      }
      const name = a.name;
      out.push({
        expr: e,
        apply(o, r) {
          const v = e.evaluate(r);
          const objs = listOf(v);
          for (const x of objs) r.session.track(x);
          if (mode === 'set') setReference(o, name, a.type === 'Reference' ? (objs[0]?.id ?? null) : objs.map((x) => x.id));
          else {
            // A child's side that was never read would replace its rows with only these: refuse instead of losing them.
            if (fromChild && !o.references.has(name)) throw new ExpressionError(`${name} of this ${o.entity} was not read: set the whole list instead`);
            const cur = (o.references.get(name) as readonly bigint[] | null | undefined) ?? [];
            const ids = objs.map((x) => x.id);
            setReference(o, name, mode === 'add' ? [...cur, ...ids.filter((id) => !cur.includes(id))] : cur.filter((id) => !ids.includes(id)));
          }
        },
      });
      continue;
    }
    if (mode !== 'set') {
      c.error(p, `${mode} works on reference sets; '${member}' is not an association`);
      continue;
    }
    const attr = entity.attributes.get(member);
    if (!attr) {
      c.error(p, `entity ${entity.name} has no attribute '${member}'`);
      continue;
    }
    if (attr.type === 'AutoNumber' || attr.system) {
      c.error(p, `${member} is maintained by the runtime and cannot be set`);
      continue;
    }
    if (attr.calculated) {
      c.error(p, `${member} is calculated by ${attr.calculated} and cannot be set`);
      continue;
    }
    const t = attributeXType(attr.type, attr.enumeration);
    const e = c.expr(value, p, st.scope, t, `value of ${member}`);
    if (!e) continue;
    const an = attr.name;
    out.push({
      expr: e,
      apply(o, r) {
        setValue(o, an, coerceValue(e.evaluate(r), t) as never);
      },
    });
  }
  return out;
}

export function commitMode(c: MicroflowCompiler, v: unknown, path: Path): false | 'events' | 'noEvents' | undefined {
  if (v === undefined || v === false) return false;
  if (v === true) return 'events';
  if (v === 'withoutEvents') return 'noEvents';
  c.error(path, 'commit must be true, false or withoutEvents');
  return undefined;
}

export function markRefresh(r: Run, objects: readonly MxObject[]): void {
  for (const o of objects) r.session.refresh.set(o.id, o);
}
