import type { MxObject } from '../../objects/mx-object.js';
import type { Value } from '../expressions/runtime.js';
import type { Run } from './run.js';
import type { QueuedCall } from './ports.js';
import type { LogicSession, SessionHost } from './session.js';
import type { FilePort, HttpPort } from './ports.js';

/** Object actions with their event handlers and validation (src/logic/object-actions.ts). */
export interface ObjectActionsApi {
  create(session: LogicSession, entity: string, stack: readonly string[]): Promise<MxObject>;
  commit(session: LogicSession, objects: readonly MxObject[], opts: { events: boolean }, stack: readonly string[]): Promise<void>;
  delete(session: LogicSession, objects: readonly MxObject[], opts: { events: boolean }, stack: readonly string[]): Promise<void>;
  rollback(session: LogicSession, objects: readonly MxObject[], stack: readonly string[]): Promise<void>;
}

/** A TypeScript action as the engine sees it once loaded. */
export interface LoadedAction {
  readonly name: string;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly returns?: string;
  run(args: Readonly<Record<string, Value>>, caller: Run): Promise<Value>;
}

/** Everything a running step may ask of the engine. */
export interface EngineHost extends SessionHost {
  readonly actions: ObjectActionsApi;
  /** Calls a microflow with arguments in parameter order, in the caller's session and transaction. */
  call(name: string, args: readonly Value[], caller: Run): Promise<Value>;
  /** Calls a microflow with arguments in parameter order in a session outside a running step (a mapping's converter). */
  callInSession(session: LogicSession, name: string, args: readonly Value[], stack: readonly string[]): Promise<Value>;
  tsAction(name: string): LoadedAction | undefined;
  /** Enqueues a call in a task queue, in the caller's transaction (a call activity with `queue`). */
  enqueue(call: Omit<QueuedCall, 'user'>, caller: Run): Promise<void>;
  /** Outbound HTTP (callRest). */
  readonly http: HttpPort;
  /** FileDocument contents, when the files component runs. */
  readonly files: () => FilePort | undefined;
}

/** What the checker knows about TypeScript actions (names and declared types); undefined = not known at check time. */
export type ActionSignatures = ReadonlyMap<string, { readonly parameters?: Readonly<Record<string, string>>; readonly returns?: string }>;
