import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { noRouteSchemas } from '../http/route-schemas.js';
import { logNodesOf, type Logger } from '../core/logger.js';
import type { RuntimeContext } from '../core/runtime-context.js';
import type { RuntimeMetrics } from './metrics.js';

/** The runtime's state as `runtime_status` reports it. */
export type RuntimeStatus = 'created' | 'starting' | 'running' | 'stopping' | 'stopped' | 'broken';

/** Mendix's protocol errors (the admin API's own, before an action runs). */
const ERR_REQUEST_NULL = -1;
const ERR_CONTENT_TYPE = -2;
const ERR_HTTP_METHOD = -3;
const ERR_FORBIDDEN = -4;
const ERR_ACTION_NOT_FOUND = -5;
const ERR_READ_REQUEST = -6;

/** An admin action's answer: result 0 with feedback, or a result code with message and cause. */
export interface AdminResult {
  readonly result: number;
  readonly feedback?: Record<string, unknown>;
  readonly message?: string;
  readonly cause?: string;
}

export type AdminParams = Readonly<Record<string, unknown>>;
export type AdminAction = (params: AdminParams) => Promise<AdminResult> | AdminResult;

/** A request of the app port in flight, for get_current_runtime_requests and interrupt_request. */
export interface InFlightRequest {
  readonly request: FastifyRequest;
  readonly startedAt: number;
}

export function ok(feedback: Record<string, unknown> = {}): AdminResult {
  return { result: 0, feedback };
}

export function fail(result: number, message: string, cause?: string): AdminResult {
  return { result, message, ...(cause !== undefined ? { cause } : {}) };
}

/**
 * The admin API's server and state: a second Fastify instance on its own port
 * (AdminPort), `POST /` with `{action, params}` authenticated by the
 * X-M2EE-Authentication header (base64 of the password, compared in constant
 * time), `GET /prometheus` for the metrics. The actions are registered by
 * ./actions.ts; the runtime they act on is attached once it has started.
 */
export class AdminApi {
  status: RuntimeStatus = 'created';
  ctx: RuntimeContext | undefined;
  metrics: RuntimeMetrics | undefined;
  readonly inFlight = new Map<string, InFlightRequest>();
  readonly actions = new Map<string, AdminAction>();
  readonly server: FastifyInstance;
  /** The app port's HTTP server, once the runtime listens (server_statistics counts its connections). */
  appServer: import('node:net').Server | undefined;
  /** This instance's id in the metrics and `about` (Mendix's XASId). */
  readonly xasId = randomUUID();
  private readonly passwordHash: Buffer;
  private address: { host: string; port: number } | undefined;

  constructor(
    password: string,
    readonly log: Logger,
  ) {
    this.passwordHash = digest(Buffer.from(password, 'utf8').toString('base64'));
    this.server = Fastify({ bodyLimit: 10 * 1048576, schemaController: noRouteSchemas });
    // The body is read as text: a wrong content type or malformed JSON is answered in Mendix's terms, not Fastify's.
    this.server.removeAllContentTypeParsers();
    this.server.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    this.server.route({
      method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
      url: '/',
      handler: async (req, reply) => {
        const { status, body } = await this.handle(req);
        return reply.code(status).header('content-type', 'application/json').send(JSON.stringify(body));
      },
    });
    this.server.get('/prometheus', async (_req, reply) => {
      if (!this.metrics) return reply.code(503).send('metrics are not available yet\n');
      return reply.header('content-type', this.metrics.contentType).send(await this.metrics.text());
    });
  }

  /** Whether the header carries the password (base64), compared in constant time. */
  authenticated(header: string | string[] | undefined): boolean {
    if (typeof header !== 'string') return false;
    return timingSafeEqual(digest(header.trim()), this.passwordHash);
  }

  private async handle(req: FastifyRequest): Promise<{ status: number; body: AdminResult }> {
    if (req.method !== 'POST') return { status: 200, body: fail(ERR_HTTP_METHOD, `HTTP method ${req.method} is not supported; use POST`) };
    if (!this.authenticated(req.headers['x-m2ee-authentication'])) return { status: 401, body: fail(ERR_FORBIDDEN, 'forbidden') };
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/json\b/i.test(type)) return { status: 200, body: fail(ERR_CONTENT_TYPE, `content type must be application/json, got '${type}'`) };
    const text = typeof req.body === 'string' ? req.body : '';
    if (text.trim() === '') return { status: 200, body: fail(ERR_REQUEST_NULL, 'request is empty') };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      return { status: 200, body: fail(ERR_READ_REQUEST, 'request could not be read', (e as Error).message) };
    }
    if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { action?: unknown }).action !== 'string')
      return { status: 200, body: fail(ERR_REQUEST_NULL, 'request has no action') };
    const { action, params } = parsed as { action: string; params?: unknown };
    const run = this.actions.get(action);
    if (!run) return { status: 200, body: fail(ERR_ACTION_NOT_FOUND, 'action not found.') };
    const p = params !== null && typeof params === 'object' && !Array.isArray(params) ? (params as AdminParams) : {};
    try {
      return { status: 200, body: await run(p) };
    } catch (e) {
      this.log.error({ err: e, action }, 'admin action failed');
      return { status: 200, body: fail(1, `${action} failed`, (e as Error).message) };
    }
  }

  async listen(host: string, port: number): Promise<number> {
    await this.server.listen({ host, port });
    const a = this.server.server.address();
    const actual = typeof a === 'object' && a ? a.port : port;
    this.address = { host, port: actual };
    this.log.info({ host, port: actual }, `admin API listening on ${host}:${actual}`);
    return actual;
  }

  get port(): number | undefined {
    return this.address?.port;
  }

  async close(): Promise<void> {
    await this.server.close();
  }

  /** The log nodes of the attached runtime's logger, or of the API's own. */
  logNodes() {
    return logNodesOf(this.ctx?.log ?? this.log);
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
