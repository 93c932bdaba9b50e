import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type DialectName, type TestDatabase } from '../support/databases.js';
import { startS3, type TestS3 } from '../support/s3-server.js';
import { authHeaders, login, startApp, type LoggedIn, type TestRuntime } from '../security/harness.js';
import { filesApp, handles, newFileDocument, png, upload } from './harness.js';

/**
 * FileDocument contents over real HTTP (GET and POST /file) on SQLite and
 * PostgreSQL, with the local folder store and with a real S3-compatible
 * server (s3rver) started here: entity access per object, CSRF, size limits,
 * safe content types, images and thumbnails, and the clean-up of contents
 * left unreferenced by a rollback, a replacement or a delete.
 */
const CASES: [DialectName, 'local' | 's3'][] = [
  ['sqlite', 'local'],
  ['postgres', 'local'],
  ['sqlite', 's3'],
  ['postgres', 's3'],
];

describe.each(CASES)('on %s with the %s store', (dialect, storage) => {
  let db: TestDatabase;
  let s3: TestS3 | undefined;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;
  let manager: LoggedIn;
  let customer: LoggedIn;

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    if (storage === 's3') s3 = await startS3();
    app = filesApp();
    t = await startApp(app.dir, db.url, { ...(s3?.settings ?? {}), FileCleanupMinAge: 0, FileCleanupInterval: 0 });
    manager = (await login(t.url, 'manager', 'Manager123')).session!;
    customer = (await login(t.url, 'customer', 'Customer123')).session!;
  });
  afterAll(async () => {
    await t?.stop();
    await s3?.stop();
    await db?.drop();
    app?.remove();
  });

  async function storedKeys(): Promise<string[]> {
    const out: string[] = [];
    for await (const f of handles(t).files.store.list()) out.push(f.key);
    return out.sort();
  }

  it('uploads with the session and CSRF token, and downloads as an attachment with the stored name', async () => {
    const guid = await newFileDocument(t, 'Catalog.Datasheet');
    const up = await upload(t.url, guid, 'Größe; "quoted"\n', 'Größe; spec.txt', authHeaders(manager));
    expect(up).toEqual({ status: 200, body: { guid, size: 18, name: 'Größe; spec.txt' } });
    const res = await fetch(`${t.url}/file?guid=${guid}`, { headers: { cookie: manager.cookie } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Größe; "quoted"\n');
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Gr__e_ spec.txt"; filename*=UTF-8''Gr%C3%B6%C3%9Fe%3B%20spec.txt`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const info = await handles(t).files.info(BigInt(guid));
    expect(info).toMatchObject({ name: 'Größe; spec.txt', size: 18, hasContents: true });
  });

  it('never serves HTML or SVG as a page: octet-stream, attachment, sandboxed, even when inline is asked for', async () => {
    const guid = await newFileDocument(t, 'Catalog.Datasheet');
    expect((await upload(t.url, guid, '<script>alert(1)</script>', 'x.html', authHeaders(manager))).status).toBe(200);
    for (const q of ['', '&target=inline']) {
      const res = await fetch(`${t.url}/file?guid=${guid}${q}`, { headers: { cookie: manager.cookie } });
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(res.headers.get('content-security-policy')).toContain('sandbox');
    }
    const svg = await newFileDocument(t, 'Catalog.Datasheet');
    expect((await upload(t.url, svg, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'a.svg', authHeaders(manager))).status).toBe(
      200,
    );
    const res = await fetch(`${t.url}/file?guid=${svg}&target=inline`, { headers: { cookie: manager.cookie } });
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
  });

  it('refuses users who may not read or write the object, uploads without CSRF token or session', async () => {
    const sheet = await newFileDocument(t, 'Catalog.Datasheet');
    expect((await upload(t.url, sheet, 'secret', 's.txt', authHeaders(manager))).status).toBe(200);
    // The customer cannot read datasheets: the same answer as for a missing object.
    expect((await fetch(`${t.url}/file?guid=${sheet}`, { headers: { cookie: customer.cookie } })).status).toBe(404);
    expect((await fetch(`${t.url}/file?guid=${sheet}`)).status).toBe(401);
    const pic = await newFileDocument(t, 'Catalog.ProductPicture');
    // Customers read pictures but cannot write them.
    expect((await upload(t.url, pic, await png(20, 20), 'p.png', authHeaders(customer))).status).toBe(404);
    expect((await upload(t.url, pic, await png(20, 20), 'p.png', { cookie: manager.cookie })).status).toBe(403);
    expect((await upload(t.url, pic, await png(20, 20), 'p.png', { cookie: manager.cookie, 'x-csrf-token': 'nope' })).status).toBe(403);
    expect((await upload(t.url, pic, await png(20, 20), 'p.png', {})).status).toBe(401);
    // Not a FileDocument, not an id.
    expect((await fetch(`${t.url}/file?guid=1`, { headers: { cookie: manager.cookie } })).status).toBe(404);
    expect((await fetch(`${t.url}/file?guid=abc`, { headers: { cookie: manager.cookie } })).status).toBe(400);
    expect(await handles(t).files.info(BigInt(pic))).toMatchObject({ hasContents: false, key: null });
  });

  it('keeps images images: thumbnails served with thumb=true, non-images refused by content', async () => {
    const pic = await newFileDocument(t, 'Catalog.ProductPicture');
    const image = await png(400, 300);
    expect((await upload(t.url, pic, image, 'photo.png', authHeaders(manager))).status).toBe(200);
    const thumb = await fetch(`${t.url}/file?guid=${pic}&thumb=true`, { headers: { cookie: customer.cookie } });
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/png');
    expect(thumb.headers.get('content-disposition')).toMatch(/^inline;/);
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([100, 75]);
    const full = await fetch(`${t.url}/file?guid=${pic}`, { headers: { cookie: customer.cookie } });
    expect(Buffer.from(await full.arrayBuffer()).equals(image)).toBe(true);
    // A text file named .png is not an image; the picture keeps its contents.
    const bad = await upload(t.url, pic, 'this is not an image at all, honestly', 'fake.png', authHeaders(manager));
    expect(bad.status).toBe(400);
    expect(await handles(t).files.info(BigInt(pic))).toMatchObject({ name: 'photo.png', size: image.length });
  });

  it('limits the size (setting and per widget) and records nothing larger', async () => {
    const guid = await newFileDocument(t, 'Catalog.Datasheet');
    const r = await upload(t.url, guid, 'x'.repeat(1000), 'big.txt', authHeaders(manager), '&maxFileSize=100');
    expect(r.status).toBe(413);
    // A large body still on its way when the limit is passed: the answer is still 413.
    const big = await upload(t.url, guid, Buffer.alloc(3 * 1024 * 1024, 1), 'big.bin', authHeaders(manager), '&maxFileSize=1048576');
    expect(big.status).toBe(413);
    expect(await handles(t).files.info(BigInt(guid))).toMatchObject({ hasContents: false, key: null });
  });

  it('lets the browser cache a version named by changedDate, and revalidates otherwise', async () => {
    const guid = await newFileDocument(t, 'Catalog.Datasheet');
    await upload(t.url, guid, 'v1', 'a.txt', authHeaders(manager));
    const info = (await handles(t).files.info(BigInt(guid)))!;
    const cached = await fetch(`${t.url}/file?guid=${guid}&changedDate=${info.changedDate!.getTime()}`, { headers: { cookie: manager.cookie } });
    expect(cached.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    const plain = await fetch(`${t.url}/file?guid=${guid}`, { headers: { cookie: manager.cookie } });
    expect(plain.headers.get('cache-control')).toBe('private, no-cache');
    const again = await fetch(`${t.url}/file?guid=${guid}`, { headers: { cookie: manager.cookie, 'if-none-match': plain.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('leaves no orphan after a rollback, a replacement or a delete once the clean-up ran', async () => {
    const { files, db } = handles(t);
    await files.cleanup();
    const before = await storedKeys();
    const guid = await newFileDocument(t, 'Catalog.Datasheet');
    const id = BigInt(guid);
    // A transaction that writes contents and then fails: the row keeps no key, the stored file is unreferenced.
    await expect(
      db.transaction(async (tx) => {
        await files.writeBytes('Catalog.Datasheet', id, 'rolled back', { name: 'r.txt' }, tx);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await files.info(id)).toMatchObject({ key: null, hasContents: false });
    expect((await storedKeys()).length).toBe(before.length + 1);
    // Replaced contents: the old file stays until the clean-up.
    await files.writeBytes('Catalog.Datasheet', id, 'first', { name: 'a.txt' });
    const first = (await files.info(id))!.key!;
    await files.writeBytes('Catalog.Datasheet', id, 'second', { name: 'a.txt' });
    expect((await files.readBytes(id))!.toString()).toBe('second');
    await files.cleanup();
    const keys = await storedKeys();
    expect(keys).not.toContain(first);
    expect(keys.length).toBe(before.length + 1);
    // Deleted (the rows DELETEd): the contents go at the next clean-up, not before.
    const current = (await files.info(id))!.key!;
    await db.transaction(async (tx) => {
      for (const table of ['catalog$datasheet', 'system$filedocument'])
        await tx.execute(`DELETE FROM "${table}" WHERE "id" = ${db.dialect.placeholder(1)}`, [db.dialect.values.encodeId(id)]);
    });
    expect(await storedKeys()).toContain(current);
    await files.cleanup();
    expect(await storedKeys()).toEqual(before);
  });
});
