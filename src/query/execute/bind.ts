import type { QuerySyntax } from '../../data/dialects/query-syntax.js';
import type { MxObject } from '../../objects/mx-object.js';
import { timeTokenValue } from '../../objects/time-tokens.js';
import type { UserContext } from '../../security/user-context.js';
import { QueryError } from '../errors.js';
import type { ParamSource } from '../oql/ast.js';
import type { SqlParam } from '../sql/compile.js';
import { zoneOffset } from './time-tokens.js';

export interface BindContext {
  readonly user: UserContext;
  /** Microflow variables by name (without `$`): values, MxObjects or object ids. `CurrentObject` for [%CurrentObject%]. */
  readonly variables: Readonly<Record<string, unknown>>;
  readonly now: Date;
}

function isMxObject(v: unknown): v is MxObject {
  return typeof v === 'object' && v !== null && 'values' in v && 'id' in v && 'entity' in v;
}

/** The value of one parameter for this execution (user, variables, clock). */
export function paramValue(src: ParamSource, ctx: BindContext): unknown {
  switch (src.kind) {
    case 'literal':
      return src.value;
    case 'currentUser':
      return ctx.user.userId;
    case 'currentObject': {
      const v = ctx.variables.CurrentObject ?? ctx.variables.currentObject;
      if (v === undefined) throw new QueryError('[%CurrentObject%] is used but no current object was given');
      return isMxObject(v) ? v.id : v;
    }
    case 'time':
      return timeTokenValue(src.base, src.terms, ctx.user.timeZone || 'UTC', ctx.now);
    case 'zone':
      return src.zone ?? (ctx.user.timeZone || 'UTC');
    case 'zoneOffset':
      return zoneOffset(src.zone ?? (ctx.user.timeZone || 'UTC'), ctx.now);
    case 'variable': {
      if (!Object.hasOwn(ctx.variables, src.name)) throw new QueryError(`the XPath uses $${src.name}, which has no value here`);
      let v: unknown = ctx.variables[src.name];
      for (const member of src.path) {
        if (v === null || v === undefined) return null;
        if (!isMxObject(v)) throw new QueryError(`$${src.name}/${src.path.join('/')}: $${src.name} is not an object`);
        if (v.values.has(member)) v = v.values.get(member);
        else if (v.references.has(member)) v = v.references.get(member);
        else throw new QueryError(`$${src.name} (${v.entity}) has no member '${member}' loaded`);
      }
      return isMxObject(v) ? v.id : v;
    }
    case 'like': {
      const inner = paramValue(src.inner, ctx);
      const s = String(inner ?? '')
        .toLowerCase()
        .replace(/[!%_]/g, (c) => `!${c}`);
      return src.mode === 'contains' ? `%${s}%` : src.mode === 'starts-with' ? `${s}%` : `%${s}`;
    }
  }
}

export function bindParams(params: readonly SqlParam[], ctx: BindContext, syntax: QuerySyntax): unknown[] {
  // Pushed (a packed array, as map made it), without a closure per call.
  const out: unknown[] = [];
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    let v = paramValue(p.source, ctx);
    if (p.type === 'Id' && typeof v === 'string' && /^[0-9]{1,20}$/.test(v)) v = BigInt(v);
    if (p.type === 'Id' && v !== null && typeof v !== 'bigint' && typeof v !== 'number')
      throw new QueryError(`${what(p.source)} must be an object or object id, not ${typeof v}`);
    try {
      out.push(syntax.toParam(p.type, v));
    } catch (e) {
      // A variable whose value does not fit the attribute it is compared with.
      throw new QueryError(`${what(p.source)} (${describe(v)}) is not a valid ${p.type} value: ${(e as Error).message}`);
    }
  }
  return out;
}

/** How an error names a parameter's source: built only when there is an error to report (binding runs per query). */
function what(src: ParamSource): string {
  return src.kind === 'variable' ? `$${[src.name, ...src.path].join('/')}` : 'a value';
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}...` : v}'`;
  if (v instanceof Date) return v.toISOString();
  return String(v);
}
