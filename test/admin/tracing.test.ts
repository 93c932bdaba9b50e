import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultComponents } from '../../src/app/components.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { startRuntime, type RunningRuntime } from '../../src/app/runtime.js';
import { createLogger } from '../../src/core/logger.js';
import { resolveSettings } from '../../src/core/settings.js';
import { loadModel } from '../../src/model/index.js';
import { SYSTEM_CONTEXT } from '../../src/security/user-context.js';
import { ROOT } from '../support/cli.js';

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}

const spans: ReceivedSpan[] = [];
let receiver: Server;
let rt: RunningRuntime | undefined;

/** An OTLP/HTTP receiver (JSON encoding) on loopback: keeps every span it is sent. */
beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const data = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: ReceivedSpan[] }[] }[] };
      for (const rs of data.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
});

afterAll(async () => {
  await rt?.stop();
  await new Promise((r) => receiver.close(r));
});

const attr = (s: ReceivedSpan, key: string) => s.attributes.find((a) => a.key === key)?.value.stringValue;

async function waitFor(pred: () => boolean, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`spans not received: ${JSON.stringify(spans.map((s) => s.name))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('OpenTelemetry traces', () => {
  it('sends a span per request (parent from traceparent), per microflow, per activity and per SQL statement (shape only) to an OTLP receiver', async () => {
    const appDir = join(ROOT, 'examples', 'employees');
    const { model } = await loadModel(appDir, { checks: modelChecks() });
    const address = receiver.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const settings = await resolveSettings({
      cli: { Port: 0, TracingEndpoint: `http://127.0.0.1:${port}/v1/traces`, DeploymentDir: mkdtempSync(join(tmpdir(), 'kiln-trace-')) },
    });
    rt = await startRuntime({ appDir, model: model!, settings, components: defaultComponents(), log: createLogger('silent') });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const callerSpan = 'b7ad6b7169203331';
    const res = await fetch(`http://127.0.0.1:${rt.port}/health/ready`, { headers: { traceparent: `00-${traceId}-${callerSpan}-01` } });
    expect(res.status).toBe(200);
    await waitFor(() => spans.some((s) => s.name === 'GET /health/ready'));
    const request = spans.find((s) => s.name === 'GET /health/ready')!;
    expect(request.traceId).toBe(traceId);
    expect(request.parentSpanId).toBe(callerSpan);
    await waitFor(() => spans.some((s) => s.parentSpanId === request.spanId));
    const select = spans.find((s) => s.parentSpanId === request.spanId)!;
    expect(select.traceId).toBe(traceId);
    expect(attr(select, 'db.query.text')).toBe('SELECT 1');

    // A microflow, a span per activity under it, the retrieve's statement under the retrieve;
    // the statement's text has placeholders, never values.
    await rt.ctx.services.require('microflows').runMicroflow('MyFirstModule.GetAllEmployees', {}, SYSTEM_CONTEXT);
    await waitFor(() => spans.some((s) => s.name === 'microflow MyFirstModule.GetAllEmployees'));
    const mf = spans.find((s) => s.name === 'microflow MyFirstModule.GetAllEmployees')!;
    await waitFor(() => spans.filter((s) => s.parentSpanId === mf.spanId).length === 2);
    const activities = spans.filter((s) => s.parentSpanId === mf.spanId);
    expect(activities.map((s) => s.name).sort()).toEqual(['retrieve (body.0)', 'return (body.1)']);
    for (const a of activities) {
      expect(a.traceId).toBe(mf.traceId);
      expect(attr(a, 'kiln.microflow')).toBe('MyFirstModule.GetAllEmployees');
    }
    const retrieveActivity = activities.find((s) => attr(s, 'kiln.activity.kind') === 'retrieve')!;
    expect(attr(activities.find((s) => s !== retrieveActivity)!, 'kiln.activity.kind')).toBe('return');
    await waitFor(() => spans.some((s) => s.parentSpanId === retrieveActivity.spanId && s.name === 'SELECT'));
    const retrieve = spans.find((s) => s.parentSpanId === retrieveActivity.spanId && s.name === 'SELECT')!;
    expect(retrieve.traceId).toBe(mf.traceId);
    expect(attr(retrieve, 'db.query.text')).toMatch(/myfirstmodule\$employee/);
    expect(spans.some((s) => s.parentSpanId === mf.spanId && s.name === 'SELECT')).toBe(false);
  }, 60000);
});
