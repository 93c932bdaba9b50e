import { AsyncLocalStorage } from 'node:async_hooks';
import { context, defaultTextMapGetter, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's span, while tracing is on. */
    kilnSpan?: Span;
  }
}

/**
 * OpenTelemetry traces (off unless TracingEndpoint is set): a span per HTTP
 * request (its parent taken from an incoming `traceparent`), per microflow
 * call and activity, and per SQL statement with the statement's text as sent — its shape
 * with placeholders; the values are bound parameters and never recorded.
 * Spans go to an OTLP/HTTP receiver in batches. The current span travels in
 * an AsyncLocalStorage, so nested microflows and their statements hang under
 * the request that caused them.
 */
export class Tracing {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;
  private readonly current = new AsyncLocalStorage<Span>();
  private readonly propagator = new W3CTraceContextPropagator();

  constructor(endpoint: string, serviceName: string) {
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': serviceName }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint }), { scheduledDelayMillis: 200 })],
    });
    this.tracer = this.provider.getTracer('kiln');
  }

  private parentContext() {
    const parent = this.current.getStore();
    return parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
  }

  /** Spans for the app's requests: started on arrival, current for the handler, ended with the answer. */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', (req, _reply, done) => {
      const parent = this.propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
      const route = req.routeOptions.url ?? req.url.split('?')[0];
      req.kilnSpan = this.tracer.startSpan(
        `${req.method} ${route}`,
        { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'http.route': route ?? '', 'url.path': req.url.split('?')[0] ?? '' } },
        parent,
      );
      done();
    });
    // After the body is parsed: the handler (and all it awaits) runs with the request's span current.
    app.addHook('preValidation', (req, _reply, done) => {
      const span = req.kilnSpan;
      if (span) this.current.run(span, done);
      else done();
    });
    app.addHook('onResponse', (req, reply, done) => {
      const span = req.kilnSpan;
      if (span) endRequestSpan(span, req, reply.statusCode);
      done();
    });
    app.addHook('onRequestAbort', (req, done) => {
      req.kilnSpan?.end();
      done();
    });
  }

  /** Runs a microflow call in its own span. */
  microflow<T>(name: string, call: () => Promise<T>): Promise<T> {
    const span = this.tracer.startSpan(`microflow ${name}`, { kind: SpanKind.INTERNAL, attributes: { 'kiln.microflow': name } }, this.parentContext());
    return this.current.run(span, async () => {
      try {
        return await call();
      } catch (e) {
        span.recordException(e as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
        throw e;
      } finally {
        span.end();
      }
    });
  }

  /**
   * Runs an activity in its own span, a child of its microflow's (or of the activity
   * that contains it: a loop's body, a decision's branch). Synchronous steps stay
   * synchronous: a decision in a tight loop does not become a promise.
   */
  activity<R>(microflow: string, label: string, kind: string | undefined, exec: () => R | Promise<R>): R | Promise<R> {
    const span = this.tracer.startSpan(
      label,
      { kind: SpanKind.INTERNAL, attributes: { 'kiln.microflow': microflow, 'kiln.activity': label, ...(kind ? { 'kiln.activity.kind': kind } : {}) } },
      this.parentContext(),
    );
    const failed = (e: unknown) => {
      span.recordException(e as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
      span.end();
    };
    let out: R | Promise<R>;
    try {
      out = this.current.run(span, exec);
    } catch (e) {
      failed(e);
      throw e;
    }
    if (!(out instanceof Promise)) {
      span.end();
      return out;
    }
    return out.then(
      (v) => {
        span.end();
        return v;
      },
      (e: unknown) => {
        failed(e);
        throw e;
      },
    );
  }

  /** A statement as sent: its text (placeholders, no values), under the current span. */
  statement(sql: string): void {
    const parent = this.current.getStore();
    if (!parent) return;
    const op = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? 'SQL';
    this.tracer
      .startSpan(op, { kind: SpanKind.CLIENT, attributes: { 'db.query.text': sql, 'db.operation.name': op } }, trace.setSpan(context.active(), parent))
      .end();
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}

function endRequestSpan(span: Span, _req: FastifyRequest, status: number): void {
  span.setAttribute('http.response.status_code', status);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
