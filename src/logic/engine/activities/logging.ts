import { nodeLogger } from '../../../core/node-loggers.js';
import { valueToString } from '../../expressions/runtime.js';
import { T } from '../../expressions/types.js';
import { NEXT } from '../compiled.js';
import { simpleStep } from '../compiler.js';
import { MicroflowError } from '../errors.js';
import { template } from './template.js';
import type { ActivityCompiler } from './types.js';

/** Logging and error events: log message, error end event. */

const LEVELS = { trace: 'trace', debug: 'debug', info: 'info', warning: 'warn', error: 'error', critical: 'fatal' } as const;
export const log: ActivityCompiler<'log'> = (c, d, path, st) => {
  const tpl = template(c, d.message, d.params, path, st);
  if (!tpl) return undefined;
  const level = LEVELS[(d.level as keyof typeof LEVELS | undefined) ?? 'info'];
  // The node is a name (`Shop.Orders`) or, as in Mendix, a String expression (`'Orders.' + $Kind`).
  const nodeText = typeof d.node === 'string' ? d.node : c.module;
  const nodeExpr = /^[A-Za-z_][\w.]*$/.test(nodeText) ? undefined : c.expr(nodeText, [...path, 'node'], st.scope, T.String, 'log node');
  if (nodeExpr === undefined && !/^[A-Za-z_][\w.]*$/.test(nodeText)) return undefined;
  const withStack = d.includeLatestStackTrace === true;
  const errSlot = st.errorSlot;
  return simpleStep(nodeExpr ? [...tpl.exprs, nodeExpr] : tpl.exprs, (r) => {
    const node = nodeExpr ? valueToString(nodeExpr.evaluate(r)) || c.module : nodeText;
    const fields: Record<string, unknown> = { microflow: r.mf.name };
    if (withStack && errSlot !== undefined && r.latestError) fields.stack = r.latestError.microflowStack;
    // The node is a log node of its own, with its own level (LogNodeLevels, set_log_level).
    nodeLogger(r.session.log, node)[level](fields, tpl.render(r));
    return NEXT;
  });
};

export const errorEvent: ActivityCompiler<'error'> = (c, def, path, st) => {
  if (def === true) {
    if (st.errorSlot === undefined) {
      c.error(path, "'error: true' rethrows $latestError and is only allowed in an error handler; give a message to raise a new error");
      return undefined;
    }
    return {
      sync: true,
      exec(r) {
        throw r.latestError ?? new MicroflowError('error event', r.stack, 'kiln.ErrorEvent');
      },
    };
  }
  const tpl = template(c, def.message, def.params, path, st);
  if (!tpl) return undefined;
  return simpleStep(tpl.exprs, (r) => {
    throw new MicroflowError(tpl.render(r), r.stack, 'kiln.ErrorEvent');
  });
};
