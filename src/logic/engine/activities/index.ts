import type { ActivityKey } from '../../../model/schema/microflow.js';
import { BREAK, CONTINUE } from '../compiled.js';
import type { BlockState, MicroflowCompiler, Path } from '../compiler.js';
import { action, call } from './calls.js';
import { closePage, showMessage, showPage, validationFeedback } from './client.js';
import { decision, loop, loopControl, returnActivity, whileLoop } from './flow.js';
import { aggregate, cast, changeList, createList, listOperation } from './lists.js';
import { errorEvent, log } from './logging.js';
import { callRest } from './rest.js';
import { change, create, objectsActivity, retrieve } from './objects.js';
import type { ActivityCompiler, ActivityDefOf, StepBody } from './types.js';
import { changeVariable, createVariable } from './variables.js';
export type { ActivityDefOf, StepBody } from './types.js';

/**
 * The compiler of each action key, by family: objects (objects.ts), control
 * flow (flow.ts), lists (lists.ts), variables (variables.ts), calls
 * (calls.ts), client feedback (client.ts), logging and error events
 * (logging.ts).
 */
const activityCompilers: { readonly [K in ActivityKey]: ActivityCompiler<K> } = {
  retrieve,
  create,
  change,
  commit: objectsActivity('commit'),
  delete: objectsActivity('delete'),
  rollback: objectsActivity('rollback'),
  decision,
  loop,
  while: whileLoop,
  break: loopControl(BREAK, 'break'),
  continue: loopControl(CONTINUE, 'continue'),
  aggregate,
  listOperation,
  changeList,
  createList,
  cast,
  createVariable,
  changeVariable,
  call,
  action,
  callRest,
  log,
  showMessage,
  validationFeedback,
  showPage,
  closePage,
  error: errorEvent,
  return: returnActivity,
};

/** Compiles the definition under `key` (the schema validated it when the model was loaded). */
export function compileActivity<K extends ActivityKey>(c: MicroflowCompiler, key: K, def: ActivityDefOf<K>, path: Path, st: BlockState): StepBody | undefined {
  const compile = activityCompilers[key] as ActivityCompiler<K>;
  return compile(c, def, path, st);
}
