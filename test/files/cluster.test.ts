import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { envName } from '../../src/core/settings-registry.js';
import { startInstance } from '../support/kiln-instance.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { startHaproxy, type HaproxyProcess } from '../support/haproxy.js';
import { startS3, type TestS3 } from '../support/s3-server.js';
import { authHeaders, login, startApp, type TestRuntime } from '../security/harness.js';
import { filesApp, handles, newFileDocument, upload } from './harness.js';

/**
 * Two instances on one PostgreSQL database and one S3-compatible store behind
 * HAProxy (round robin): a file uploaded through one instance is downloaded
 * through the other. And a 200 MB upload streams through with the server's
 * memory flat (the file is never held whole).
 */
const SECRET = 'files-cluster-test-secret-0123456789';

describe('files in a cluster (PostgreSQL, S3, HAProxy)', () => {
  let db: TestDatabase;
  let s3: TestS3;
  let app: { dir: string; remove(): void };
  let a: TestRuntime;
  let b: TestRuntime;
  let proxy: HaproxyProcess;
  let stopC: (() => Promise<unknown>) | undefined;

  beforeAll(async () => {
    db = await freshDatabase('postgres');
    s3 = await startS3();
    app = filesApp();
    const settings = { ...s3.settings, FileCleanupInterval: 0, DeploymentSecret: SECRET };
    a = await startApp(app.dir, db.url, settings);
    b = await startApp(app.dir, db.url, settings);
    proxy = await startHaproxy({ backends: [a.rt.port, b.rt.port] });
  });
  afterAll(async () => {
    await stopC?.();
    await proxy?.stop();
    await a?.stop();
    await b?.stop();
    await s3?.stop();
    await db?.drop();
    app?.remove();
  });

  it('uploads on one instance and downloads from the other', async () => {
    const s = (await login(a.url, 'manager', 'Manager123')).session!;
    const guid = await newFileDocument(a, 'Catalog.Datasheet');
    expect((await upload(a.url, guid, 'shared contents', 'shared.txt', authHeaders(s))).status).toBe(200);
    const direct = await fetch(`${b.url}/file?guid=${guid}`, { headers: { cookie: s.cookie } });
    expect(direct.status).toBe(200);
    expect(await direct.text()).toBe('shared contents');
    // Through the proxy, answered by both instances in turn.
    const servedBy = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const r = await fetch(`${proxy.base}/file?guid=${guid}`, { headers: { cookie: s.cookie } });
      expect(r.status).toBe(200);
      expect(await r.text()).toBe('shared contents');
      servedBy.add(r.headers.get('x-served-by') ?? '');
    }
    expect([...servedBy].sort()).toEqual(['s1', 's2']);
  });

  it('streams a 200 MB upload with the memory flat, and downloads it whole', async () => {
    const s = (await login(b.url, 'manager', 'Manager123')).session!;
    const guid = await newFileDocument(a, 'Catalog.Datasheet');
    const size = 200 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, 7);
    const boundary = '----kilnboundary';
    async function* body() {
      yield Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="mxdocument"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      );
      for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
      yield Buffer.from(`\r\n--${boundary}--\r\n`);
    }
    // The server in a process of its own (the test's client, buffers and S3 server are not counted): its resident memory.
    const c = await startInstance({
      appDir: app.dir,
      db: db.url,
      env: Object.fromEntries(Object.entries({ ...s3.settings, FileCleanupInterval: '0', DeploymentSecret: SECRET }).map(([k, v]) => [envName(k), String(v)])),
    });
    stopC = () => c.kill();
    const sc = (await login(c.base, 'manager', 'Manager123')).session!;
    // A first upload loads the S3 client and compiles the upload path: memory that any first upload
    // costs, not the file's. The baseline is taken after it, so only what the big file holds is counted.
    const warm = await newFileDocument(a, 'Catalog.Datasheet');
    expect((await upload(c.base, warm, Buffer.alloc(6 * 1024 * 1024, 3), 'warm.bin', authHeaders(sc))).status).toBe(200);
    const base = rss(c.child.pid!);
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rss(c.child.pid!) - base);
    }, 20);
    const res = await fetch(`${c.base}/file?guid=${guid}`, {
      method: 'POST',
      headers: { ...authHeaders(sc), 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: Readable.toWeb(Readable.from(body())) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    clearInterval(sampler);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ size });
    // Holding the file would add its 200 MB; streamed, the server's resident memory grows by the parts in
    // flight and the garbage V8 lets pile up before it collects (its external-memory limit is 64 MB).
    expect(peak).toBeLessThan(size / 2);
    const down = await fetch(`${b.url}/file?guid=${guid}`, { headers: { cookie: s.cookie } });
    expect(down.headers.get('content-length')).toBe(String(size));
    let got = 0;
    for await (const c of down.body as unknown as AsyncIterable<Uint8Array>) got += c.length;
    expect(got).toBe(size);
    expect((await handles(b).files.info(BigInt(guid)))?.size).toBe(size);
  }, 120000);
});

/** Resident memory of a process, in bytes (Linux). */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}
