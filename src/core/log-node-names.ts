/**
 * Kiln's log nodes are named as the Mendix Runtime names its own
 * (docs.mendix.com/refguide/logging, "Default Mendix Log Nodes"), so that log
 * levels set by m2ee-tools, the buildpack or an operator's habit reach the same
 * part of the runtime. The names Kiln used before are still accepted where a
 * level is set (LogNodeLevels, set_log_level) and mean the Mendix node.
 */
export const LOG_NODES = {
  /** Start-up and shut-down of the runtime, the model it runs. */
  core: 'Core',
  /** Settings read at start-up. */
  configuration: 'Configuration',
  /** The database: connections, pool, transactions. */
  connectionBus: 'ConnectionBus',
  /** Schema synchronisation (Mendix: "modification of the existing database, and database migration"). */
  connectionBusValidation: 'ConnectionBus_Validation',
  /** Retrieves by id and the runtime operations behind them. */
  idResolution: 'IDResolution',
  /** The HTTP server (Mendix runs Jetty). */
  jetty: 'Jetty',
  /** The /xas/ request handler. */
  connector: 'Connector',
  /** Microflow execution. */
  microflowEngine: 'MicroflowEngine',
  /** Scheduled and cluster-wide system work (instances, the leader lease). */
  systemTask: 'SystemTask',
  /** Scheduled events (Mendix: "action scheduling, for example scheduled events"). */
  actionManager: 'ActionManager',
  /** Task queues and their workers. */
  taskQueue: 'TaskQueue',
  /** Published REST services. */
  restPublish: 'REST Publish',
  /** Users, roles, sessions and sign-in. */
  security: 'Security',
  /** The admin API. */
  m2ee: 'M2EE',
  /** Serving the browser client. */
  webUi: 'WebUI',
  /** File contents on the local file system, or on S3. */
  storageLocal: 'StorageLocal',
  storageS3: 'StorageS3',
} as const;

/** The names Kiln's nodes had before they were named as Mendix names them. */
const FORMER_NAMES: Readonly<Record<string, string>> = {
  Data: LOG_NODES.connectionBus,
  HTTP: LOG_NODES.jetty,
  Microflows: LOG_NODES.microflowEngine,
  ClientAPI: LOG_NODES.connector,
  Login: LOG_NODES.security,
  Cluster: LOG_NODES.systemTask,
  REST: LOG_NODES.restPublish,
  Client: LOG_NODES.webUi,
  Health: LOG_NODES.core,
  FileDocumentStorage: LOG_NODES.storageLocal,
  ScheduledEvents: LOG_NODES.actionManager,
};

/** The node a name given by a user means (a former Kiln name gives the Mendix one; any other name is its own node). */
export function canonicalNode(name: string): string {
  return Object.hasOwn(FORMER_NAMES, name) ? (FORMER_NAMES[name] as string) : name;
}
