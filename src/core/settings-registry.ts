/**
 * Every runtime setting Kiln knows. A setting is written in PascalCase in app.yaml
 * `settings` and in the settings file, and as KILN_<SCREAMING_SNAKE> in the
 * environment (DatabaseUrl <-> KILN_DATABASE_URL). Unknown names are refused, so a
 * typo never silently falls back to a default. docs/settings.md mirrors this list.
 */
export interface SettingSpec {
  readonly type: 'string' | 'integer' | 'boolean';
  readonly default: string | number | boolean | undefined;
  readonly description: string;
}

export const SETTINGS = {
  DatabaseUrl: {
    type: 'string',
    default: undefined,
    description: 'Database URL: sqlite:<path>, postgres://..., mysql://... Default: SQLite in the deployment folder.',
  },
  DatabasePoolSize: { type: 'integer', default: 10, description: 'Maximum connections in the pool (PostgreSQL, MariaDB).' },
  DatabaseConnectTimeout: { type: 'integer', default: 10000, description: 'Milliseconds to wait for a database connection.' },
  DatabasePoolWaitTimeout: {
    type: 'integer',
    default: 5000,
    description:
      'Milliseconds a request waits for a free pooled connection (SQLite: for the one connection) before it is answered 503 with Retry-After. 0: no limit.',
  },
  DatabaseStatementTimeout: {
    type: 'integer',
    default: 30000,
    description:
      'Milliseconds one statement may run before the database cancels it (PostgreSQL statement_timeout, MariaDB max_statement_time; not on SQLite); the request is answered 503 with Retry-After. Schema synchronisation at start-up is exempt. 0: no limit.',
  },
  DatabaseLockTimeout: {
    type: 'integer',
    default: 10000,
    description:
      "Milliseconds a statement waits for a row or table lock (PostgreSQL lock_timeout, MariaDB innodb_lock_wait_timeout rounded up to seconds, SQLite busy_timeout); then the request is answered 503 with Retry-After and its transaction rolled back. 0: the database's own default.",
  },
  RequestTimeout: {
    type: 'integer',
    default: 30000,
    description:
      'Milliseconds a request may take: past this deadline it is answered 503 with Retry-After and its database transaction is rolled back (never committed). A client that disconnects before the commit has its transaction rolled back too. 0: no deadline.',
  },
  AllowDestructiveSync: { type: 'boolean', default: false, description: 'Let schema synchronisation drop tables or columns that hold data, or narrow types.' },
  Port: { type: 'integer', default: 8080, description: 'HTTP port of the runtime.' },
  Host: {
    type: 'string',
    default: '127.0.0.1',
    description:
      "Address the HTTP server binds to: 0.0.0.0 (or ::) for every address. At the production security level, a non-loopback address is refused while the administrator has the app's default password.",
  },
  DeploymentDir: {
    type: 'string',
    default: undefined,
    description: 'Deployment folder (database file, model/operations.json, files). Default: <app>/.deployment.',
  },
  LogLevel: { type: 'string', default: 'info', description: 'trace, debug, info, warn, error or fatal (or as Mendix names them: TRACE ... CRITICAL, NONE).' },
  TrustProxy: {
    type: 'boolean',
    default: false,
    description: 'Trust X-Forwarded-* headers from a reverse proxy (marks cookies Secure when the proxy says https).',
  },
  BodyLimit: { type: 'integer', default: 1048576, description: 'Maximum request body in bytes; larger requests get 413.' },
  DeploymentSecret: {
    type: 'string',
    default: undefined,
    description: 'Secret shared by all instances, keying the signatures of client-held objects. Default: generated once and stored in the database.',
  },
  SignedObjectMaxAge: {
    type: 'integer',
    default: 86400000,
    description: 'Milliseconds a new (or changed, uncommitted) object the client holds stays valid after the server signed it; older ones are refused (400).',
  },
  SessionTimeout: { type: 'integer', default: 600000, description: 'Milliseconds of inactivity after which a session expires.' },
  SessionMaxLifetime: {
    type: 'integer',
    default: 43200000,
    description:
      'Milliseconds after its creation at which a session ends however active it is (absolute lifetime, besides SessionTimeout): the user logs in again.',
  },
  AnonymousSessionRateLimit: {
    type: 'integer',
    default: 30,
    description:
      'New anonymous sessions one client address may start per minute on an instance (honours TrustProxy); more get 429 with Retry-After. 0: no limit.',
  },
  SessionValidationTimeout: { type: 'integer', default: 30000, description: 'Milliseconds a validated session is cached in memory.' },
  SessionKeepAliveUpdatesInterval: { type: 'integer', default: 100000, description: "Milliseconds between flushes of sessions' last-active times." },
  ClusterManagerActionInterval: {
    type: 'integer',
    default: undefined,
    description:
      "Milliseconds between the cluster's rounds: each instance refreshes its system$xasinstance row, and the leader runs its tasks (expired sessions, unblocking users, expired instances, sessions cleared after a new model). The leader lease lasts one interval and is renewed every quarter; instances not refreshed for three intervals are removed. Default: half of SessionTimeout (300000 with its default), as in Mendix.",
  },
  TaskQueuePollInterval: {
    type: 'integer',
    default: 1000,
    description:
      "Milliseconds between an instance's looks for due tasks in its task queues while they are idle (a finished task makes it look again at once). See task-queues.md.",
  },
  TaskQueueShutdownGracePeriod: {
    type: 'integer',
    default: 10000,
    description:
      "Milliseconds a graceful stop waits for the instance's running tasks (Mendix's TaskQueue.ShutdownGracePeriod); tasks still running then are left to be run again by another instance (their transactions roll back).",
  },
  IsClusterSlave: {
    type: 'boolean',
    default: false,
    description: "This instance never becomes the cluster leader (Mendix's com.mendix.core.isClusterSlave); it still serves requests and registers itself.",
  },
  ClearSessionsOnNewModel: {
    type: 'boolean',
    default: true,
    description:
      'The cluster leader ends every session once when an instance with a model version never seen before starts (as Mendix does after a deploy). false keeps users signed in across a rolling deploy whose model changes the browser client can live with (see docs/operations.md).',
  },
  AfterStartupTimeout: {
    type: 'integer',
    default: 660000,
    description: 'Milliseconds the after-startup microflow (app.yaml afterStartup) may take; then the start fails. 11 minutes, as in Mendix.',
  },
  ScheduledEventExecution: {
    type: 'string',
    default: 'ALL',
    description:
      "Which scheduled events this instance takes part in (Mendix's ScheduledEventExecution): ALL (every event the model enables), NONE, or SPECIFIED (the events MyScheduledEvents names, whether the model enables them or not). Each period still runs once across the cluster, on one of the instances that take part.",
  },
  MyScheduledEvents: {
    type: 'string',
    default: undefined,
    description: 'With ScheduledEventExecution SPECIFIED: the scheduled events this instance runs, comma-separated Module.Name (Mendix: MyScheduledEvents).',
  },
  ScheduledEventRecordRetention: {
    type: 'integer',
    default: 604800000,
    description:
      "Milliseconds the records of scheduled-event runs (System.ScheduledEventInformation, kiln$scheduledeventrun) are kept; the cluster leader deletes older ones. Default 7 days (Mendix's ProcessedTasksCleanupAge for new apps). 0: keep them.",
  },
  LoginMaxAttempts: { type: 'integer', default: 3, description: 'Consecutive failed logins after which a user is blocked.' },
  LoginBlockDuration: { type: 'integer', default: 300000, description: 'Milliseconds a blocked user stays blocked.' },
  IdempotencyKeyTtl: {
    type: 'integer',
    default: 86400000,
    description:
      'Milliseconds the answer of a state-changing /xas/ request sent with an Idempotency-Key is remembered (a retry with the key gets it again); expired ones are deleted by the periodic clean-up.',
  },
  HashAlgorithmCost: { type: 'integer', default: 12, description: 'bcrypt cost factor for HashedString values.' },
  PasswordHashThreads: {
    type: 'integer',
    default: undefined,
    description:
      'Worker threads that hash and compare passwords (bcrypt), off the event loop; more hashes at a time wait in a queue. Default: the number of CPU cores minus one, at least 1.',
  },
  LoginThrottleAttempts: {
    type: 'integer',
    default: 20,
    description:
      "Login attempts one client address may have failed (or have under way) within LoginThrottleWindow; further attempts get 429 with Retry-After. Per instance, in memory; behind a reverse proxy set TrustProxy, or every client shares the proxy's address. 0 turns the throttle off.",
  },
  LoginThrottleWindow: {
    type: 'integer',
    default: 60000,
    description: "Milliseconds over which LoginThrottleAttempts counts a client address's failed logins.",
  },
  ShutdownTimeout: {
    type: 'integer',
    default: 10000,
    description:
      'Milliseconds to wait for requests in flight at shut-down; then their transactions are rolled back and the process exits with code 3 (see docs/operations.md).',
  },
  ReadinessTimeout: { type: 'integer', default: 1000, description: 'Milliseconds /health/ready waits for the database (SELECT 1) before answering 503.' },
  FileStorage: {
    type: 'string',
    default: 'local',
    description:
      "Where FileDocument contents are kept (Mendix com.mendix.core.StorageService): 'local' (a folder, UploadedFilesPath) or 's3' (an S3-compatible bucket, the FileS3* settings). A cluster needs 's3' or a shared folder.",
  },
  UploadedFilesPath: { type: 'string', default: undefined, description: 'Folder of the local file store. Default: <deployment folder>/data/files.' },
  FileS3BucketName: { type: 'string', default: undefined, description: 'S3 bucket of the file store (com.mendix.storage.s3.BucketName).' },
  FileS3Region: { type: 'string', default: 'us-east-1', description: 'S3 region (com.mendix.storage.s3.Region).' },
  FileS3EndPoint: {
    type: 'string',
    default: undefined,
    description: 'Endpoint URL of an S3-compatible store; when set, path-style access is used (com.mendix.storage.s3.EndPoint). Default: AWS for the region.',
  },
  FileS3AccessKeyId: {
    type: 'string',
    default: undefined,
    description:
      "S3 access key id (com.mendix.storage.s3.AccessKeyId). Without it the AWS SDK's default credentials chain applies (environment, instance role).",
  },
  FileS3SecretAccessKey: { type: 'string', default: undefined, description: 'S3 secret access key (com.mendix.storage.s3.SecretAccessKey).' },
  FileS3KeyPrefix: {
    type: 'string',
    default: '',
    description: 'Prefix of every object key in the bucket, e.g. app1/ (several apps or environments sharing a bucket).',
  },
  FileS3MaxConnections: { type: 'integer', default: 50, description: 'Maximum connections to the S3 store (com.mendix.storage.s3.MaxConnections).' },
  PerformDeleteFromStorage: {
    type: 'boolean',
    default: true,
    description:
      'Whether the clean-up removes contents no FileDocument references any more (deleted or replaced, or uploaded in a rolled-back transaction) from the store (com.mendix.storage.PerformDeleteFromStorage).',
  },
  FileUploadMaxSize: {
    type: 'integer',
    default: 209715200,
    description: 'Maximum bytes of one file upload (POST /file); larger uploads get 413 and leave nothing. A widget can ask for less, never more.',
  },
  FileCleanupInterval: {
    type: 'integer',
    default: 3600000,
    description: 'Milliseconds between two clean-ups of unreferenced file contents. 0: no periodic clean-up.',
  },
  FileCleanupMinAge: {
    type: 'integer',
    default: 3600000,
    description:
      'Milliseconds stored contents must be old before the clean-up may remove them when unreferenced (protects uploads whose transaction has not committed yet).',
  },
  LogNodeLevels: {
    type: 'string',
    default: undefined,
    description:
      'Levels of single log nodes (named as Mendix names them, docs/operations.md), as ConnectionBus=DEBUG,Jetty=WARNING (TRACE, DEBUG, INFO, WARNING, ERROR, CRITICAL, NONE); the others log at LogLevel. The admin API changes them at run time (set_log_level).',
  },
  AdminPort: {
    type: 'integer',
    default: undefined,
    description:
      'Port of the M2EE-compatible admin API (docs/operations.md); M2EE_ADMIN_PORT is read too. Off when unset or when no admin API password is set.',
  },
  AdminHost: {
    type: 'string',
    default: '127.0.0.1',
    description: 'Address the admin API binds to (M2EE_ADMIN_LISTEN_ADDRESSES is read too; * means every address).',
  },
  AdminApiPassword: {
    type: 'string',
    default: undefined,
    description: 'Password of the admin API (clients send it base64-encoded in X-M2EE-Authentication); M2EE_ADMIN_PASS is read too.',
  },
  MetricsEnabled: {
    type: 'boolean',
    default: false,
    description: 'Serve Prometheus metrics at /metrics on the app port (they are always at /prometheus on the admin port).',
  },
  TracingEndpoint: {
    type: 'string',
    default: undefined,
    description:
      'OTLP/HTTP URL that receives OpenTelemetry traces (e.g. http://127.0.0.1:4318/v1/traces): a span per request, microflow call and SQL statement. Off when unset.',
  },
  HealthCheckMicroflow: {
    type: 'string',
    default: undefined,
    description: "Microflow the admin API's check_health runs: it returns '' (or empty) when healthy, otherwise the reason.",
  },
  HttpClientMaxConnectionsPerRoute: {
    type: 'integer',
    default: 2,
    description:
      'Connections callRest keeps open per origin (scheme, host and port), reused across calls; further calls to it wait for one (Mendix http.client.MaxConnectionsPerRoute). 0: no limit.',
  },
  HttpClientMaxConnectionsTotal: {
    type: 'integer',
    default: 20,
    description:
      'Outbound calls (callRest) in flight at once over every origin; further ones wait, within their timeout (Mendix http.client.MaxConnectionsTotal). 0: no limit.',
  },
  HttpClientConnectTimeout: {
    type: 'integer',
    default: 10000,
    description: 'Milliseconds callRest waits for a connection to be established; then the call fails (its error handler runs).',
  },
  HttpClientReadTimeout: {
    type: 'integer',
    default: 0,
    description:
      "Milliseconds callRest waits for the answer's headers and between two pieces of its body; then the call fails. 0: only the activity's own timeout applies.",
  },
  HttpProxyHost: {
    type: 'string',
    default: undefined,
    description: 'Proxy host for callRest (Mendix http.proxyHost); unset: direct connections.',
  },
  HttpProxyPort: {
    type: 'integer',
    default: 8080,
    description: 'Proxy port (Mendix http.proxyPort).',
  },
  HttpProxyUser: {
    type: 'string',
    default: undefined,
    description: 'User name for the proxy (Basic, Mendix http.proxyUser); unset: none.',
  },
  HttpProxyPassword: {
    type: 'string',
    default: undefined,
    description: 'Password for the proxy (Mendix http.proxyPassword).',
  },
  HttpNonProxyHosts: {
    type: 'string',
    default: undefined,
    description:
      'Hosts callRest reaches without the proxy, separated by commas: exact names, or *.example.com for a domain and its subdomains (Mendix http.nonProxyHosts).',
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;

/** Environment variables that start with KILN_ but are not settings (KILN_CODE_CACHE is read by bin/kiln.js). */
export const NON_SETTING_ENV = new Set(['KILN_ADMIN_PASSWORD', 'KILN_CODE_CACHE']);

export function envName(setting: string): string {
  return `KILN_${setting.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}
