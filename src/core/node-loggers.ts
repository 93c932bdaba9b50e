import type { Logger } from 'pino';
import type { LogNodes } from './logger.js';

// Apart from logger.ts (pino and its pretty-printer): a microflow's log activity needs only this,
// and compiling microflows (`kiln check`) then loads no logging library.

/** The log nodes of each logger made by createLogger, and of its children (logger.ts fills it). */
export const nodesOf = new WeakMap<Logger, LogNodes>();

/** The log nodes of a logger made by createLogger (or of one of its node loggers); undefined for other loggers. */
export function logNodesOf(log: Logger): LogNodes | undefined {
  return nodesOf.get(log);
}

const nodeLoggers = new WeakMap<LogNodes, Map<string, Logger>>();
/** Past this many, an app's own node names (from an expression) stop getting loggers of their own. */
const MAX_APP_NODES = 1000;

/**
 * The logger of a node named at run time (a microflow's log activity: `Shop.Orders`), made
 * once from the process's root logger, so its level is set like any node's (LogNodeLevels,
 * set_log_level) and its lines carry that node, not the caller's.
 */
export function nodeLogger(log: Logger, node: string): Logger {
  const nodes = nodesOf.get(log);
  if (!nodes) return log.child({ node });
  let byName = nodeLoggers.get(nodes);
  if (!byName) {
    byName = new Map();
    nodeLoggers.set(nodes, byName);
  }
  let l = byName.get(node);
  if (!l) {
    l = nodes.root.child({ node });
    if (byName.size < MAX_APP_NODES) byName.set(node, l);
  }
  return l;
}
