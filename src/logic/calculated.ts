import { AsyncLocalStorage } from 'node:async_hooks';
import type { AttributeCalculator } from '../query/index.js';
import type { AttributeValue } from '../objects/values.js';
import { isMxObject } from './expressions/runtime.js';
import type { MicroflowEngine } from './engine/engine.js';
import { MicroflowError } from './engine/errors.js';
import { LogicSession } from './engine/session.js';
import type { SqlPort } from './engine/ports.js';

/**
 * How deep calculations may nest: a calculated attribute's microflow that reads objects whose
 * calculated attributes read objects ... A microflow that retrieves its own entity would
 * otherwise never end.
 */
const MAX_NESTING = 8;
const nesting = new AsyncLocalStorage<number>();

/**
 * Calculated attributes computed by the microflow engine: one microflow call
 * per object and attribute (as Mendix does), in one session per retrieve that
 * runs as the reader and on the reader's connection or transaction.
 */
export function engineCalculator(engine: MicroflowEngine): AttributeCalculator {
  return {
    async calculate(db, user, objects, attributes) {
      if (!objects.some((o) => attributes(o.entity).length > 0)) return;
      const depth = (nesting.getStore() ?? 0) + 1;
      if (depth > MAX_NESTING) {
        const names = [...new Set(objects.flatMap((o) => attributes(o.entity).map((a) => a.qualifiedName)))];
        throw new MicroflowError(
          `calculated attributes nest more than ${MAX_NESTING} deep (${names.join(', ')}): does a calculation read the objects it calculates?`,
          [],
          'kiln.CalculationDepth',
        );
      }
      await nesting.run(depth, async () => {
        // A transaction (the data layer's has `savepoint`) takes savepoints; the pooled database outside one does not.
        const inTransaction = typeof (db as { savepoint?: unknown }).savepoint === 'function';
        const session = new LogicSession(engine, user, db as unknown as SqlPort, engine.log, inTransaction);
        for (const o of objects) session.track(o);
        for (const o of objects) {
          for (const a of attributes(o.entity)) {
            const mf = engine.microflow(a.calculated!);
            const param = mf?.parameters[0];
            if (!mf || !param)
              throw new MicroflowError(`calculated attribute ${a.qualifiedName}: unknown microflow '${a.calculated}'`, [], 'kiln.UnknownMicroflow');
            const v = await engine.runInSession(session, mf.name, { [param.name]: o });
            o.values.set(a.name, attributeValue(v));
          }
        }
      });
    },
  };
}

/** The microflow's value as an attribute value (the checker made sure the types agree). */
function attributeValue(v: unknown): AttributeValue {
  if (v === undefined || isMxObject(v) || Array.isArray(v)) return null;
  return v as AttributeValue;
}
