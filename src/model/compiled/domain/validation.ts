import type { CEntity, CEventHandler, CValidationRule } from '../types.js';
import type { DomainContext, EntityInput } from './context.js';
import { qualify } from './naming.js';

/** An entity's own validation rules, checked against its (flattened) attributes. */
export function compileValidationRules(ctx: DomainContext, q: string, { inp, def, short }: EntityInput, entity: CEntity): CValidationRule[] {
  const { report } = ctx;
  const base = ['entities', short];
  const persistable = entity.persistable;
  const ownValidation: CValidationRule[] = [];
  (def.validation ?? []).forEach((v, i) => {
    const path = [...base, 'validation', i];
    const attr = entity.attributes.get(v.attribute);
    if (!attr) {
      report(inp, [...path, 'attribute'], `unknown attribute '${v.attribute}' of ${q}`);
      return;
    }
    if (!persistable) report(inp, path, 'validation rules are allowed on persistable entities only');
    // Mendix validates what users enter; a calculated value is never entered.
    if (attr.calculated) report(inp, [...path, 'attribute'], `calculated attribute '${v.attribute}' cannot have validation rules`);
    const kinds = (['required', 'unique', 'range', 'regex', 'maxLength'] as const).filter((k) => v[k] !== undefined);
    if (kinds.length !== 1) {
      report(
        inp,
        path,
        `a validation rule has exactly one of required, unique, range, regex, maxLength (found ${kinds.length === 0 ? 'none' : kinds.join(', ')})`,
      );
      return;
    }
    const src = inp.file ? { source: { file: inp.file, path } } : {};
    if (v.required !== undefined) ownValidation.push({ attribute: v.attribute, rule: { kind: 'required' }, message: v.required, ...src });
    if (v.unique !== undefined) ownValidation.push({ attribute: v.attribute, rule: { kind: 'unique' }, message: v.unique, ...src });
    if (v.range) {
      if (!['Integer', 'Long', 'Decimal', 'DateTime', 'AutoNumber'].includes(attr.type))
        report(inp, [...path, 'range'], `a range rule needs a number or date attribute; ${v.attribute} is ${attr.type}`);
      if (v.range.min === undefined && v.range.max === undefined) report(inp, [...path, 'range'], 'a range rule needs min, max or both');
      ownValidation.push({
        attribute: v.attribute,
        rule: { kind: 'range', ...(v.range.min !== undefined ? { min: v.range.min } : {}), ...(v.range.max !== undefined ? { max: v.range.max } : {}) },
        message: v.range.message,
        ...src,
      });
    }
    if (v.regex) {
      try {
        new RegExp(v.regex.pattern);
      } catch (e) {
        report(inp, [...path, 'regex', 'pattern'], `invalid regular expression: ${(e as Error).message}`);
      }
      if (attr.type !== 'String') report(inp, [...path, 'regex'], `a regular expression rule needs a String attribute; ${v.attribute} is ${attr.type}`);
      ownValidation.push({ attribute: v.attribute, rule: { kind: 'regex', pattern: v.regex.pattern }, message: v.regex.message, ...src });
    }
    if (v.maxLength) {
      if (attr.type !== 'String') report(inp, [...path, 'maxLength'], `a maximum length rule needs a String attribute; ${v.attribute} is ${attr.type}`);
      ownValidation.push({ attribute: v.attribute, rule: { kind: 'maxLength', length: v.maxLength.length }, message: v.maxLength.message, ...src });
    }
  });
  return ownValidation;
}

/** An entity's own event handlers. */
export function compileEventHandlers(q: string, { inp, def }: EntityInput): CEventHandler[] {
  return (def.events ?? []).map((e) => ({
    moment: e.moment,
    event: e.event,
    microflow: qualify(e.microflow, inp.module),
    raiseErrorOnFalse: e.raiseErrorOnFalse ?? true,
    passEventObject: e.passEventObject ?? !(e.moment === 'before' && e.event === 'create'),
    entity: q,
  }));
}
