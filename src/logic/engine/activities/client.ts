import type { MxObject } from '../../../objects/mx-object.js';
import { ExpressionError } from '../../expressions/runtime.js';
import { NEXT } from '../compiled.js';
import { simpleStep } from '../compiler.js';
import { isSubEntity } from '../../expressions/types.js';
import { template } from './template.js';
import type { ActivityCompiler } from './types.js';

/** Feedback to the client: show message, validation feedback, show page, close page. */

export const showPage: ActivityCompiler<'showPage'> = (c, d, path, st) => {
  const page = c.model.pages.get(d.page.includes('.') ? d.page : `${c.module}.${d.page}`);
  if (!page) {
    c.error([...path, 'page'], `unknown page '${d.page}'`);
    return undefined;
  }
  const params = Object.entries(page.def.parameters ?? {});
  if (params.length > 1) {
    c.error([...path, 'page'], `page ${page.name} takes ${params.length} parameters; a microflow can open a page with one object at most`);
    return undefined;
  }
  const [param] = params;
  if (!param) {
    if (d.object !== undefined) c.error([...path, 'object'], `page ${page.name} takes no object`);
    const name = page.name;
    return simpleStep([], (r) => {
      r.session.pages.push({ kind: 'show', page: name });
      return NEXT;
    });
  }
  if (d.object === undefined) {
    c.error(path, `page ${page.name} needs an object for its parameter ${param[0]} (${param[1]})`);
    return undefined;
  }
  const v = c.variable(d.object, [...path, 'object'], st.scope, ['Object']);
  if (!v || v.type.kind !== 'Object') return undefined;
  const entity = param[1].includes('.') ? param[1] : `${page.module}.${param[1]}`;
  if (!isSubEntity(c.model, v.type.entity, entity)) {
    c.error([...path, 'object'], `page ${page.name} takes a ${entity}, not a ${v.type.entity}`);
    return undefined;
  }
  const name = page.name,
    parameter = param[0],
    slot = v.slot;
  return simpleStep([], (r) => {
    const o = r.vars[slot] as MxObject | null;
    if (o === null) throw new ExpressionError(`show page ${name}: $${v.name} is empty`);
    r.session.pages.push({ kind: 'show', page: name, parameter, object: o });
    return NEXT;
  });
};

export const closePage: ActivityCompiler<'closePage'> = () =>
  simpleStep([], (r) => {
    r.session.pages.push({ kind: 'close' });
    return NEXT;
  });

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
