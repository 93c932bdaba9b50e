/**
 * A nanoflow as the browser client runs it: the activities of its model file with
 * every expression parsed (the syntax tree of src/logic/expressions) and every name
 * resolved, built once at start-up per nanoflow and sent in the page definitions that
 * use it. Shared by the server (src/web-client/nanoflows.ts builds it) and the
 * browser (client/src/nanoflow/ runs it): types only.
 */
import type { Node } from '../logic/expressions/ast.js';

export type PlanExpr = Node;

/** The value type the client converts an expression's result to. */
export type PlanType = 'String' | 'Integer' | 'Long' | 'Decimal' | 'Boolean' | 'DateTime' | 'Enumeration' | 'Object' | 'List' | 'Unknown';

export interface PlanMember {
  readonly member: string;
  readonly type: PlanType;
  readonly expr: PlanExpr;
}

export type PlanStep =
  | { readonly kind: 'change'; readonly object: string; readonly set: readonly PlanMember[] }
  | {
      readonly kind: 'create';
      readonly entity: string;
      /** The page's create operation (absent: the user may not create it). */
      readonly operationId?: string;
      readonly set: readonly PlanMember[];
      readonly into: string;
    }
  | { readonly kind: 'decision'; readonly cond: PlanExpr; readonly ifTrue: readonly PlanStep[]; readonly ifFalse: readonly PlanStep[] }
  | {
      readonly kind: 'switch';
      readonly on: PlanExpr;
      readonly cases: Readonly<Record<string, readonly PlanStep[]>>;
    }
  | { readonly kind: 'loop'; readonly over: string; readonly as: string; readonly body: readonly PlanStep[] }
  | { readonly kind: 'while'; readonly cond: PlanExpr; readonly body: readonly PlanStep[] }
  /**
   * An activity with error handling: when it fails, `continue` goes on with the next activity,
   * a handler runs its activities (and the nanoflow then goes on after the failed one, unless they return).
   */
  | { readonly kind: 'guarded'; readonly steps: readonly PlanStep[]; readonly onError: 'continue' | readonly PlanStep[] }
  /** Commits objects (and lists of them) through the page's commit operation: the server saves them as a save button would. */
  | { readonly kind: 'commit'; readonly objects: readonly string[]; readonly operationId?: string }
  | { readonly kind: 'break' }
  | { readonly kind: 'continue' }
  | { readonly kind: 'setVariable'; readonly name: string; readonly type: PlanType; readonly expr?: PlanExpr }
  | { readonly kind: 'showMessage'; readonly type: 'info' | 'warning' | 'error'; readonly template: string; readonly params: readonly PlanExpr[] }
  | { readonly kind: 'validationFeedback'; readonly object: string; readonly member: string; readonly template: string; readonly params: readonly PlanExpr[] }
  | {
      readonly kind: 'callMicroflow';
      /** The runtime operation the page definition allows (absent: the user may not call it). */
      readonly operationId?: string;
      readonly microflow: string;
      /** Object parameters by variable, primitives by expression. */
      readonly args: readonly { readonly name: string; readonly object?: string; readonly expr?: PlanExpr }[];
      readonly into?: string;
    }
  | {
      readonly kind: 'callNanoflow';
      readonly nanoflow: string;
      readonly args: readonly { readonly name: string; readonly expr: PlanExpr }[];
      readonly into?: string;
    }
  | {
      readonly kind: 'jsAction';
      /** Module.Name of `modules/<Module>/javascript/<Name>.ts` (or .js). */
      readonly action: string;
      /** Where the browser imports it from (absent: not loaded). */
      readonly url?: string;
      readonly args: readonly { readonly name: string; readonly object?: string; readonly expr?: PlanExpr }[];
      readonly into?: string;
      readonly returns: PlanType;
    }
  | {
      readonly kind: 'retrieve';
      readonly entity: string;
      /** The page's retrieve operation (absent: the user may not run it); the server runs the XPath with the user's access. */
      readonly operationId?: string;
      /** The XPath's variables, sent as the operation's parameters (same names as the nanoflow's variables). */
      readonly variables: readonly string[];
      /** By association from an object variable: followed from the owner, the client's own reference is read first. */
      readonly association?: { readonly object: string; readonly name: string; readonly fromOwner: boolean; readonly single: boolean };
      /** `first`: one object (or empty); otherwise a list, optionally a range. */
      readonly first: boolean;
      readonly offset?: PlanExpr;
      readonly amount?: PlanExpr;
      readonly into: string;
    }
  | {
      readonly kind: 'aggregate';
      readonly list: string;
      readonly fn: 'count' | 'sum' | 'average' | 'min' | 'max' | 'all' | 'any' | 'reduce';
      readonly attribute?: string;
      /** Over `$currentObject` (and `$currentResult` for reduce). */
      readonly expr?: PlanExpr;
      readonly initial?: PlanExpr;
      readonly into: string;
    }
  | {
      readonly kind: 'listOperation';
      readonly op: ListOperationName;
      readonly list: string;
      readonly other?: string;
      readonly attribute?: string;
      readonly value?: PlanExpr;
      readonly expr?: PlanExpr;
      readonly sort?: readonly { readonly attribute: string; readonly descending: boolean }[];
      readonly offset?: PlanExpr;
      readonly amount?: PlanExpr;
      readonly into: string;
    }
  | { readonly kind: 'changeList'; readonly list: string; readonly op: 'add' | 'remove' | 'clear' | 'replace'; readonly value?: PlanExpr }
  | { readonly kind: 'createList'; readonly into: string }
  | { readonly kind: 'closePage' }
  | { readonly kind: 'showPage'; readonly page: string; readonly object?: string }
  | { readonly kind: 'return'; readonly expr?: PlanExpr };

export type ListOperationName =
  | 'union'
  | 'intersect'
  | 'subtract'
  | 'contains'
  | 'equals'
  | 'sort'
  | 'filter'
  | 'find'
  | 'filterByExpression'
  | 'findByExpression'
  | 'head'
  | 'tail'
  | 'range';

export interface NanoflowPlan {
  readonly name: string;
  /** In order: name and type (an entity's qualified name for an object). */
  readonly parameters: readonly { readonly name: string; readonly type: string }[];
  readonly body: readonly PlanStep[];
}
