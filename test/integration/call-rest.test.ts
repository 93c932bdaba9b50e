import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../support/databases.js';
import { logicApp, USER, type LogicApp } from '../logic/harness.js';

/**
 * The callRest activity against a real local HTTP server: the location
 * template, method, headers, Basic credentials and body reach the server; the
 * answer's body comes back; a non-2xx answer and a timeout go to the error
 * handler with $latestError naming them.
 */
const MICROFLOWS: Record<string, string> = {
  Get: `
parameters: { Base: String, Name: String }
returns: String
body:
  - callRest: { location: "{1}/hello/{2}", params: [$Base, "urlEncode($Name)"], headers: { X-Test: "'yes'" }, basicAuth: { user: "'api'", password: "'s3cret'" }, into: Answer }
  - return: $Answer`,
  Post: `
parameters: { Base: String }
returns: String
body:
  - callRest: { method: POST, location: "{1}/echo", params: [$Base], headers: { Content-Type: "'application/json'" }, body: "'{\\"n\\": 1}'", into: Answer }
  - return: $Answer`,
  Missing: `
parameters: { Base: String }
returns: String
body:
  - callRest: { location: "{1}/missing", params: [$Base], into: Answer }
    onError:
      customWithoutRollback:
        - { create: { entity: Shop.Log, set: { Message: "$latestError/Message" }, commit: true, into: L } }
        - return: "'handled'"
  - return: $Answer`,
  Slow: `
parameters: { Base: String }
returns: String
body:
  - callRest: { location: "{1}/slow", params: [$Base], timeout: 0.3, into: Answer }
    onError:
      customWithoutRollback:
        - { create: { entity: Shop.Log, set: { Message: "$latestError/Message" }, commit: true, into: L } }
        - return: "'timed out'"
  - return: $Answer`,
  Whole: `
parameters: { Base: String }
returns: String
body:
  - callRest: { location: "{1}/echo", params: [$Base], response: httpResponse, into: R }
  - retrieve: { from: $R/System.HttpHeaders, into: Headers }
  - listOperation: { operation: findByExpression, list: $Headers, expression: "$currentObject/Key = 'content-type'", into: Type }
  - return: "toString($R/StatusCode) + ' ' + $R/ReasonPhrase + ' ' + $Type/Value + ' ' + $R/Content + ' ' + toString($latestHttpResponse/StatusCode)"`,
  Latest: `
parameters: { Base: String }
returns: String
body:
  - callRest: { location: "{1}/missing", params: [$Base], into: Answer }
    onError:
      customWithoutRollback:
        - return: "toString($latestHttpResponse/StatusCode) + ':' + $latestHttpResponse/Content"
  - return: $Answer`,
  Unhandled: `
parameters: { Base: String }
body:
  - callRest: { location: "{1}/missing", params: [$Base] }`,
};

describe.each(['sqlite', 'postgres'] as DialectName[])('callRest on %s', (dialect) => {
  let app: LogicApp;
  let server: Server;
  let base: string;
  const seen: { method: string; url: string; auth?: string; test?: string; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, test: req.headers['x-test'] as string | undefined, body });
        if (req.url!.startsWith('/hello/')) return void res.end(`hello ${decodeURIComponent(req.url!.slice(7))}`);
        if (req.url === '/echo') return void res.setHeader('content-type', 'application/json').end(JSON.stringify({ method: req.method, body }));
        if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
        res.statusCode = 404;
        res.end('nope');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    app = await logicApp(dialect, MICROFLOWS);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('sends the location, headers and Basic credentials and returns the body', async () => {
    const r = await app.engine.runMicroflow('Shop.Get', { Base: base, Name: 'a b/c' }, USER);
    expect(r.value).toBe('hello a+b/c'); // urlEncode encodes a space as + (as Java's URLEncoder)
    const req = seen.find((s) => s.url.startsWith('/hello/'))!;
    expect(req.url).toBe('/hello/a+b%2Fc');
    expect(req.test).toBe('yes');
    expect(req.auth).toBe(`Basic ${Buffer.from('api:s3cret').toString('base64')}`);
  });

  it('sends a body with POST', async () => {
    const r = await app.engine.runMicroflow('Shop.Post', { Base: base }, USER);
    expect(JSON.parse(String(r.value))).toEqual({ method: 'POST', body: '{"n": 1}' });
  });

  it('passes a non-2xx answer to the error handler', async () => {
    const r = await app.engine.runMicroflow('Shop.Missing', { Base: base }, USER);
    expect(r.value).toBe('handled');
    expect(await app.log()).toContain('REST call failed: 404 Not Found');
  });

  it('passes a timeout to the error handler', async () => {
    const t0 = Date.now();
    const r = await app.engine.runMicroflow('Shop.Slow', { Base: base }, USER);
    expect(r.value).toBe('timed out');
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(await app.log()).toContain('REST call timed out after 0.3 s');
  });

  it('returns the whole answer as an HttpResponse (status, reason, headers, content), also as $latestHttpResponse', async () => {
    const r = await app.engine.runMicroflow('Shop.Whole', { Base: base }, USER);
    expect(r.value).toBe('200 OK application/json {"method":"GET","body":""} 200');
  });

  it('gives the error handler of a non-2xx answer $latestHttpResponse with its status and content', async () => {
    const r = await app.engine.runMicroflow('Shop.Latest', { Base: base }, USER);
    expect(r.value).toBe('404:nope');
  });

  it('fails the microflow without a handler', async () => {
    await expect(app.engine.runMicroflow('Shop.Unhandled', { Base: base }, USER)).rejects.toThrow(/REST call failed: 404/);
  });
});
