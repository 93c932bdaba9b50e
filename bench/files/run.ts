/**
 * File upload and download throughput (MB/s) through Kiln's /file handler, on
 * the local folder store and on an S3-compatible server (s3rver), against a
 * raw Fastify server that streams the same file to and from a local file.
 *
 *   npm run bench:files -- [--mb 50] [--rounds 3]
 *
 * Everything runs in this process on SQLite (the database does one UPDATE per
 * upload and one SELECT per download: the figures are the streaming path).
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Fastify from 'fastify';
import { startS3 } from '../../test/support/s3-server.js';
import { authHeaders, login, startApp } from '../../test/security/harness.js';
import { filesApp, newFileDocument } from '../../test/files/harness.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const MB = arg('mb', 50);
const ROUNDS = arg('rounds', 3);
const SIZE = MB * 1024 * 1024;
const CHUNK = Buffer.alloc(256 * 1024, 42);
const BOUNDARY = '----kilnbench';

function multipartBody(): ReadableStream {
  async function* gen() {
    yield Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="mxdocument"; filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    for (let sent = 0; sent < SIZE; sent += CHUNK.length) yield CHUNK;
    yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  }
  return Readable.toWeb(Readable.from(gen())) as ReadableStream;
}

async function timeUpload(url: string, headers: Record<string, string>, multipart: boolean): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': multipart ? `multipart/form-data; boundary=${BOUNDARY}` : 'application/octet-stream' },
    body: multipart
      ? multipartBody()
      : (Readable.toWeb(
          Readable.from(
            (async function* () {
              for (let sent = 0; sent < SIZE; sent += CHUNK.length) yield CHUNK;
            })(),
          ),
        ) as ReadableStream),
    duplex: 'half',
  } as RequestInit);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`upload answered ${res.status}`);
  return MB / ((performance.now() - t0) / 1000);
}

async function timeDownload(url: string, headers: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, { headers });
  let n = 0;
  for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) n += c.length;
  if (n !== SIZE) throw new Error(`downloaded ${n} of ${SIZE} bytes`);
  return MB / ((performance.now() - t0) / 1000);
}

const best = (xs: number[]) => Math.max(...xs).toFixed(0);

async function raw(): Promise<[string, string]> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-raw-'));
  const app = Fastify();
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
  app.post('/raw', async (req) => {
    await pipeline(req.body as Readable, createWriteStream(join(dir, 'f')));
    return { ok: true };
  });
  app.get('/raw', async (_req, reply) => reply.header('content-type', 'application/octet-stream').send(createReadStream(join(dir, 'f'))));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/raw`;
  const up: number[] = [];
  const down: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    up.push(await timeUpload(url, {}, false));
    down.push(await timeDownload(url, {}));
  }
  await app.close();
  rmSync(dir, { recursive: true, force: true });
  return [best(up), best(down)];
}

async function kiln(settings: Record<string, unknown>): Promise<[string, string]> {
  const dbDir = mkdtempSync(join(tmpdir(), 'kiln-bench-db-'));
  const app = filesApp();
  const t = await startApp(app.dir, `sqlite:${join(dbDir, 'app.db')}`, { ...settings, FileCleanupInterval: 0, LogLevel: 'warn' });
  const s = (await login(t.url, 'manager', 'Manager123')).session!;
  const guid = await newFileDocument(t, 'Catalog.Datasheet');
  const url = `${t.url}/file?guid=${guid}`;
  const up: number[] = [];
  const down: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    up.push(await timeUpload(url, authHeaders(s), true));
    down.push(await timeDownload(url, { cookie: s.cookie }));
  }
  await t.stop();
  app.remove();
  rmSync(dbDir, { recursive: true, force: true });
  return [best(up), best(down)];
}

const rows: [string, [string, string]][] = [];
rows.push(['raw Fastify stream to/from a local file', await raw()]);
rows.push(['Kiln /file, local folder store', await kiln({})]);
const s3 = await startS3();
rows.push(['Kiln /file, S3 store (s3rver, same machine)', await kiln(s3.settings)]);
await s3.stop();
console.log(`\n${MB} MB file, best of ${ROUNDS} rounds (MB/s)\n`);
console.log('| path | upload | download |\n| --- | ---: | ---: |');
for (const [name, [u, d]] of rows) console.log(`| ${name} | ${u} | ${d} |`);
process.exit(0);
