import { filterable } from '../security/entity-access.js';
import type { UserContext } from '../security/user-context.js';
import type { CompiledModel } from '../model/compiled/types.js';
import { parseXPath, XPathResolveError, XPathSyntaxError, type XExpr } from '../query/index.js';
import { malformed } from './errors.js';
import type { RetrieveOperation } from './registry/types.js';

/**
 * Checks a client's `extraXpath` (a search or filter: `[contains(Lastname, 'Jo')]`)
 * before it reaches the query engine: it must parse, and every path in it must
 * be one attribute (or `id`) of the operation's entity that the user may read —
 * no association steps, no other entities, no variables. The operation's own
 * XPath and the user's security constraints still apply on top of it.
 */
export function checkExtraXpath(model: CompiledModel, op: RetrieveOperation, user: UserContext, text: string): string {
  const field = 'options.extraXpath';
  let q: ReturnType<typeof parseXPath>;
  try {
    q = parseXPath(text);
  } catch (e) {
    if (e instanceof XPathSyntaxError || e instanceof XPathResolveError) throw malformed(field, `is not a valid XPath constraint: ${e.message}`);
    throw e;
  }
  if (q.entity !== undefined || q.aggregate || q.attribute) throw malformed(field, "must be a constraint [...] on the operation's entity");
  if (q.predicates.length === 0) return '';
  const entity = model.entities.get(op.entity)!;
  const check = (x: XExpr): void => {
    switch (x.kind) {
      case 'or':
      case 'and':
      case 'compare':
      case 'arith':
        check(x.left);
        check(x.right);
        return;
      case 'not':
        check(x.operand);
        return;
      case 'call':
        x.args.forEach(check);
        return;
      case 'path': {
        const [step] = x.steps;
        if (x.steps.length !== 1 || !step || step.predicates.length || step.reversed)
          throw malformed(field, 'may only use attributes of the entity, not paths');
        if (step.name === 'id') return;
        if (!entity.attributes.has(step.name)) throw malformed(field, `cannot use '${step.name}'`);
        if (entity.attributes.get(step.name)!.calculated) throw malformed(field, `cannot use '${step.name}': it is calculated when read, not stored`);
        // Readable on some objects only (per-object member rights): a filter would reveal the others' values.
        if (!filterable(model, user, op.entity, step.name)) throw malformed(field, `cannot use '${step.name}': it is not readable on every object you can see`);
        return;
      }
      case 'variable':
        throw malformed(field, 'may not use variables');
      default:
        return;
    }
  };
  q.predicates.forEach(check);
  return text;
}
