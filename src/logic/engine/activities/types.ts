import type { MxObject } from '../../../objects/mx-object.js';
import type { ActivityDef, ActivityKey } from '../../../model/schema/microflow.js';
import type { Value } from '../../expressions/runtime.js';
import type { Step } from '../compiled.js';
import type { BlockState, MicroflowCompiler, Path } from '../compiler.js';
import type { EngineHost } from '../host.js';
import type { Run } from '../run.js';

/** What an activity compiles to; the block compiler adds the label and the error handler. */
export type StepBody = Omit<Step, 'label' | 'onError'>;

/** The definition under one action key, as the microflow schema types it (validated on load). */
export type ActivityDefOf<K extends ActivityKey> = Exclude<ActivityDef[K], undefined>;

/** Checks one activity's definition and compiles it; undefined after reporting a problem. */
export type ActivityCompiler<K extends ActivityKey> = (c: MicroflowCompiler, def: ActivityDefOf<K>, path: Path, st: BlockState) => StepBody | undefined;

export const host = (r: Run): EngineHost => r.session.host as EngineHost;
export const listOf = (v: Value): MxObject[] => (v === null ? [] : Array.isArray(v) ? (v as MxObject[]) : [v as MxObject]);
