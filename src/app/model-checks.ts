import type { ModelCheck } from '../model/compiled/compile.js';
import { registryCheck } from '../client-api/registry/index.js';
import { xpathModelCheck } from '../query/model-check.js';
import { checkMicroflows } from '../logic/model-check.js';
import { conditionsModelCheck } from '../web-client/conditions.js';
import { checkNanoflows } from '../logic/nanoflow-check.js';

/**
 * The checks each component contributes to `kiln check` and to start-up
 * (XPath constraints, expressions, microflows, pages). Added as components land.
 */
export function modelChecks(): ModelCheck[] {
  return [registryCheck, xpathModelCheck, checkMicroflows, conditionsModelCheck, checkNanoflows];
}
