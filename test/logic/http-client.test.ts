import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, DEFAULT_HTTP } from '../../src/logic/http-client.js';
import { OutboundError, type OutboundRequest } from '../../src/logic/engine/ports.js';

/**
 * callRest's HTTP client against real local servers: connections are reused,
 * the per-route and total limits hold, the read timeout and the size limit
 * end a call, and a proxy (with Basic credentials) carries the calls except to
 * the hosts that bypass it.
 */
describe('the outbound HTTP client', () => {
  let server: Server;
  let base: string;
  const ports = new Set<number>();
  let active = 0;
  let maxActive = 0;
  let proxy: Server;
  let proxyPort: number;
  const tunnels: { target: string; auth: string | undefined }[] = [];
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      ports.add(req.socket.remotePort!);
      active++;
      maxActive = Math.max(maxActive, active);
      const done = (status: number, text: string) => {
        active--;
        res.statusCode = status;
        res.end(text);
      };
      if (req.url === '/wait') return void setTimeout(() => done(200, 'waited'), 150);
      if (req.url === '/silent') return void setTimeout(() => done(200, 'late'), 1500);
      if (req.url === '/big') return done(200, 'x'.repeat(5000));
      done(200, 'ok');
    });
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A CONNECT proxy: notes the target and the credentials, then tunnels the bytes.
    proxy = createServer();
    proxy.on('connect', (req, client: Socket) => {
      tunnels.push({ target: req.url!, auth: req.headers['proxy-authorization'] });
      const [host, port] = req.url!.split(':');
      const upstream = connect(Number(port), host!, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      sockets.add(client);
      sockets.add(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyPort = (proxy.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => proxy.close(resolve));
  });

  const req = (path: string, extra: Partial<OutboundRequest> = {}): OutboundRequest => ({
    url: new URL(`${base}${path}`),
    method: 'GET',
    headers: {},
    timeoutMs: 5000,
    maxBytes: 1_000_000,
    ...extra,
  });

  it('reuses its connections for calls one after another', async () => {
    const client = createHttpClient(DEFAULT_HTTP);
    ports.clear();
    for (let i = 0; i < 20; i++) expect(new TextDecoder().decode((await client.request(req('/'))).body)).toBe('ok');
    // 20 calls over at most the 2 connections of the route (undici may open the second before the first is free again).
    expect(ports.size).toBeLessThanOrEqual(2);
    await client.close();
  });

  it('keeps at most MaxConnectionsPerRoute connections to one origin', async () => {
    const client = createHttpClient({ ...DEFAULT_HTTP, maxConnectionsPerRoute: 2 });
    ports.clear();
    maxActive = 0;
    const all = await Promise.all(Array.from({ length: 6 }, () => client.request(req('/wait'))));
    expect(all.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(maxActive).toBe(2);
    expect(ports.size).toBe(2);
    await client.close();
  });

  it('keeps at most MaxConnectionsTotal calls in flight over every origin', async () => {
    const client = createHttpClient({ ...DEFAULT_HTTP, maxConnectionsPerRoute: 10, maxConnectionsTotal: 1 });
    maxActive = 0;
    const other = base.replace('127.0.0.1', 'localhost');
    await Promise.all([client.request(req('/wait')), client.request({ ...req('/wait'), url: new URL(`${other}/wait`) }), client.request(req('/wait'))]);
    expect(maxActive).toBe(1);
    await client.close();
  });

  it('ends a call whose answer does not come within the read timeout, and one larger than allowed', async () => {
    const client = createHttpClient({ ...DEFAULT_HTTP, readTimeoutMs: 200 });
    const t0 = Date.now();
    await expect(client.request(req('/silent', { timeoutMs: 0 }))).rejects.toThrow(/read timeout/);
    expect(Date.now() - t0).toBeLessThan(1200);
    await expect(client.request(req('/big', { maxBytes: 100 }))).rejects.toBeInstanceOf(OutboundError);
    await client.close();
  });

  it('goes through the proxy with its credentials, except to hosts that bypass it', async () => {
    const client = createHttpClient({
      ...DEFAULT_HTTP,
      proxy: { host: '127.0.0.1', port: proxyPort, user: 'px', password: 'secret' },
      nonProxyHosts: ['*.example.invalid', 'localhost'],
    });
    tunnels.length = 0;
    expect(new TextDecoder().decode((await client.request(req('/'))).body)).toBe('ok');
    expect(tunnels).toEqual([{ target: base.slice('http://'.length), auth: `Basic ${Buffer.from('px:secret').toString('base64')}` }]);
    const direct = base.replace('127.0.0.1', 'localhost');
    expect((await client.request({ ...req('/'), url: new URL(`${direct}/`) })).status).toBe(200);
    expect(tunnels).toHaveLength(1);
    await client.close();
  });
});
