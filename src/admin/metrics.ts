import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** A request handler's counters, as `runtime_statistics` reports them. */
interface HandlerCount {
  value: number;
  lastRequestTimestamp: number;
}

/** Statements by kind, as Mendix's connection bus counts them. */
export interface ConnectionBusCounts {
  select: number;
  insert: number;
  update: number;
  delete: number;
  transaction: number;
}

export interface SessionCounts {
  readonly namedUsers: number;
  readonly namedUserSessions: number;
  readonly anonymousSessions: number;
}

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The runtime's metrics, one prom-client registry per runtime, named as
 * Mendix names them where Mendix has them (Micrometer's dots become
 * underscores): mx_runtime_stats_handler_requests, the session gauges and
 * the connection bus counters; plus Kiln's request and microflow durations,
 * the transactions holding pooled connections and Node's process metrics. The hot path only adds to
 * counters; gauges that need the database are read when scraped.
 */
export class RuntimeMetrics {
  readonly registry = new Registry();
  readonly handlers = new Map<string, HandlerCount>();
  readonly connectionBus: ConnectionBusCounts = { select: 0, insert: 0, update: 0, delete: 0, transaction: 0 };
  private readonly handlerRequests: Counter<'name'>;
  private readonly requestDuration: Histogram<'handler' | 'action' | 'operation'>;
  private readonly microflowDuration: Histogram<'microflow' | 'outcome'>;
  private readonly bus: Record<keyof ConnectionBusCounts, Counter>;

  /** Transactions begun and not yet ended: the pooled connections they hold. */
  private openTransactions = 0;

  constructor(opts: {
    xasId: string;
    sessions?: () => Promise<SessionCounts | undefined>;
    poolSize?: number;
  }) {
    this.registry.setDefaultLabels({ XASId: opts.xasId });
    const registers = [this.registry];
    this.handlerRequests = new Counter({ name: 'mx_runtime_stats_handler_requests', help: 'Requests per request handler', labelNames: ['name'], registers });
    const busCounter = (kind: string) =>
      new Counter({ name: `mx_runtime_stats_connectionbus_${kind}`, help: `Database ${kind} on the connection bus`, registers });
    this.bus = {
      select: busCounter('selects'),
      insert: busCounter('inserts'),
      update: busCounter('updates'),
      delete: busCounter('deletes'),
      transaction: busCounter('transactions'),
    };
    let sessions: Promise<SessionCounts | undefined> | undefined;
    // One database read per scrape feeds the three session gauges.
    const sessionGauge = (name: string, help: string, pick: (s: SessionCounts) => number) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          sessions ??= (opts.sessions?.() ?? Promise.resolve(undefined)).finally(() => setTimeout(() => (sessions = undefined), 0));
          const s = await sessions.catch(() => undefined);
          if (s) this.set(pick(s));
        },
      });
    sessionGauge('mx_runtime_stats_sessions_named_users', 'Users with a session', (s) => s.namedUsers);
    sessionGauge('mx_runtime_stats_sessions_named_user_sessions', 'Sessions of named users', (s) => s.namedUserSessions);
    sessionGauge('mx_runtime_stats_sessions_anonymous_sessions', 'Sessions of anonymous users', (s) => s.anonymousSessions);
    this.requestDuration = new Histogram({
      name: 'kiln_http_request_duration_seconds',
      help: 'HTTP request durations by handler, and for /xas/ by action and operation',
      labelNames: ['handler', 'action', 'operation'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.microflowDuration = new Histogram({
      name: 'kiln_microflow_duration_seconds',
      help: 'Microflow durations (each call, nested ones included)',
      labelNames: ['microflow', 'outcome'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    const openTx = () => this.openTransactions;
    new Gauge({
      name: 'kiln_database_transactions_open',
      help: 'Database transactions open now, each holding a pooled connection (BEGIN seen, COMMIT or ROLLBACK not yet)',
      registers,
      collect() {
        this.set(openTx());
      },
    });
    if (opts.poolSize !== undefined)
      new Gauge({ name: 'kiln_database_pool_size', help: 'Connections the pool may open (DatabasePoolSize)', registers }).set(opts.poolSize);
    collectDefaultMetrics({ register: this.registry });
  }

  /** One request answered: its handler (Mendix's name: "xas/", "file", "" ...), and for /xas/ its action and operation. */
  request(handler: string, seconds: number, action = '', operation = ''): void {
    this.handlerRequests.inc({ name: handler });
    const h = this.handlers.get(handler);
    const now = Date.now();
    if (h) {
      h.value++;
      h.lastRequestTimestamp = now;
    } else this.handlers.set(handler, { value: 1, lastRequestTimestamp: now });
    this.requestDuration.observe({ handler, action, operation }, seconds);
  }

  microflow(name: string, seconds: number, failed: boolean): void {
    this.microflowDuration.observe({ microflow: name, outcome: failed ? 'error' : 'ok' }, seconds);
  }

  /** Counts a statement by its first keyword (SELECT/WITH, INSERT, UPDATE, DELETE; COMMIT counts a transaction). */
  statement(sql: string): void {
    let i = 0;
    while (i < sql.length && sql.charCodeAt(i) <= 32) i++;
    const c = sql.charCodeAt(i) | 32;
    const kind: keyof ConnectionBusCounts | undefined =
      c === 115 /* s */
        ? (sql.charCodeAt(i + 1) | 32) === 101 /* e */ && (sql.charCodeAt(i + 2) | 32) === 108 /* l: not SET */
          ? 'select'
          : undefined
        : c === 119 /* w */
          ? 'select'
          : c === 105 /* i */
            ? 'insert'
            : c === 117 /* u */
              ? 'update'
              : c === 100 /* d */
                ? 'delete'
                : c === 99 /* c */ && sql.slice(i, i + 6).toUpperCase() === 'COMMIT'
                  ? 'transaction'
                  : undefined;
    if (!kind) {
      // BEGIN / START TRANSACTION open a transaction, ROLLBACK (not to a savepoint) ends one.
      if (c === 98 /* b */ || (c === 115 && (sql.charCodeAt(i + 1) | 32) === 116) /* st */) this.openTransactions++;
      else if (c === 114 /* r */ && (sql.charCodeAt(i + 1) | 32) === 111 && !/\bTO\b/i.test(sql))
        this.openTransactions = Math.max(0, this.openTransactions - 1);
      return;
    }
    if (kind === 'transaction') this.openTransactions = Math.max(0, this.openTransactions - 1);
    this.connectionBus[kind]++;
    this.bus[kind].inc();
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
