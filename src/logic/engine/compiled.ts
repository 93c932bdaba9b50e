import type { SourceRef } from '../../model/compiled/types.js';
import type { XType } from '../expressions/types.js';
import type { Run } from './run.js';

/** What a step tells the block that runs it. */
export const NEXT = 0,
  BREAK = 1,
  CONTINUE = 2,
  RETURN = 3;
/** NEXT, BREAK, CONTINUE or RETURN. */
export type Signal = number;

export type ErrorHandler =
  | { readonly mode: 'continue' }
  | { readonly mode: 'custom'; readonly rollback: boolean; readonly body: Block; readonly errorSlot: number };

/**
 * One compiled activity. `sync` steps never touch the database or the object
 * cache and run without a promise, so tight loops of variable changes and
 * decisions stay synchronous.
 */
export interface Step {
  readonly label: string;
  /** The activity's kind as the model names it (retrieve, commit, call, ...). */
  readonly kind?: string;
  readonly sync: boolean;
  exec(r: Run): Signal | Promise<Signal>;
  readonly onError?: ErrorHandler;
}

/**
 * Wraps each activity's run (tracing: a span per activity); must return what `exec`
 * returns, synchronously for a synchronous step.
 */
export type ActivityWrap = (microflow: string, step: Step, exec: () => Signal | Promise<Signal>) => Signal | Promise<Signal>;

export interface Block {
  readonly steps: readonly Step[];
  /** Every step is sync and none has an error handler. */
  readonly sync: boolean;
}

export interface CompiledParameter {
  readonly name: string;
  readonly type: XType;
  readonly slot: number;
}

/** A microflow ready to run: variables resolved to slots, expressions to closures, activities to steps. */
export interface CompiledMicroflow {
  readonly name: string;
  readonly module: string;
  readonly parameters: readonly CompiledParameter[];
  readonly returnType: XType;
  readonly slotCount: number;
  readonly body: Block;
  readonly allowedRoles: readonly string[];
  readonly applyEntityAccess: boolean;
  /** Slots of $currentUser / $currentSession when the microflow reads them (filled at start). */
  readonly currentUserSlot?: number;
  readonly currentSessionSlot?: number;
  readonly source?: SourceRef;
}

export function block(steps: readonly Step[]): Block {
  return { steps, sync: steps.every((s) => s.sync && !s.onError) };
}
