/**
 * The query engine: XPath -> OQL (names resolved, inheritance, entity access)
 * -> SQL for the configured dialect, every value a bound parameter.
 *
 *   const plan = compileQuery(model, { xpath: '//Sales.Order[Status = $S]', sort: [...] }, db.dialect);  // once
 *   const { objects, count } = await retrieve(db, model, plan, user, { S: 'Draft' }, { offset: 0, amount: 20, wantCount: true });
 */
import type { CompiledModel } from '../model/compiled/types.js';
import type { Dialect } from '../data/dialects/dialect.js';
import type { UserContext } from '../security/user-context.js';
import { printOql } from './oql/print.js';
import { QueryPlan, type QueryRequest } from './plan.js';

export { QueryPlan, type QueryRequest } from './plan.js';
export { retrieve, aggregate } from './execute/retrieve.js';
export { provideCalculator, calculatedAttributes, type AttributeCalculator } from './execute/calculated.js';
export { XPathSyntaxError, XPathResolveError, QueryError } from './errors.js';
export { parseXPath } from './xpath/parser.js';
export type { XExpr } from './xpath/ast.js';

/**
 * Compiles a retrieve once: parses and resolves the XPath against the model
 * (throwing XPathSyntaxError / XPathResolveError with the position), ready to
 * run for any user. Reuse the plan for every request of the operation.
 */
export function compileQuery(model: CompiledModel, request: QueryRequest, dialect: Dialect): QueryPlan {
  return new QueryPlan(model, request, dialect);
}

export interface Explanation {
  readonly oql: string;
  readonly countOql: string;
  /** The statements a retrieve runs (page, then count when wanted), paging applied. */
  readonly sql: readonly string[];
}

/** What a retrieve would run for this user: the OQL (after inheritance and security) and the SQL. */
export function explain(plan: QueryPlan, user: UserContext | null, paging: { offset?: number; amount?: number; wantCount?: boolean } = {}): Explanation {
  const v = plan.variant(user, undefined);
  const offset = paging.offset ?? plan.request.offset;
  const amount = paging.amount ?? plan.request.amount;
  const stmt = !amount && !offset && v.selectUnordered ? v.selectUnordered : v.select;
  const page = stmt.text + (plan.aggregate ? '' : plan.syntax.paging(amount ? amount : undefined, offset));
  const wantCount = paging.wantCount ?? plan.request.wantCount;
  return { oql: printOql(v.oql), countOql: printOql(v.countOql), sql: wantCount && !plan.aggregate ? [page, v.count.text] : [page] };
}
