import type { MxObject } from '../../../objects/mx-object.js';
import { ExpressionError } from '../../expressions/runtime.js';
import { NEXT } from '../compiled.js';
import { simpleStep } from '../compiler.js';
import { template } from './template.js';
import type { ActivityCompiler } from './types.js';

/** Feedback to the client: show message, validation feedback. */

export const showMessage: ActivityCompiler<'showMessage'> = (c, d, path, st) => {
  const tpl = template(c, d.message, d.params, path, st);
  if (!tpl) return undefined;
  const type = d.type ?? 'info';
  const blocking = d.blocking !== false;
  return simpleStep(tpl.exprs, (r) => {
    r.session.messages.push({ type, message: tpl.render(r), blocking });
    return NEXT;
  });
};

export const validationFeedback: ActivityCompiler<'validationFeedback'> = (c, d, path, st) => {
  const v = c.variable(d.object, [...path, 'object'], st.scope, ['Object']);
  const tpl = template(c, d.message, d.params, path, st);
  if (!v || !tpl || v.type.kind !== 'Object') return undefined;
  const entity = c.model.entities.get(v.type.entity)!;
  if (typeof d.member !== 'string' || (!entity.attributes.has(d.member) && !c.model.associations.has(d.member))) {
    c.error([...path, 'member'], `entity ${entity.name} has no member '${String(d.member)}'`);
    return undefined;
  }
  const member = d.member,
    slot = v.slot;
  return simpleStep(tpl.exprs, (r) => {
    const o = r.vars[slot] as MxObject | null;
    if (o === null) throw new ExpressionError(`validation feedback on $${v.name}, which is empty`);
    r.session.feedback.push({ objectId: o.id, entity: o.entity, member, message: tpl.render(r) });
    return NEXT;
  });
};
