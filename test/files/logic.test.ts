import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MxObject } from '../../src/objects/mx-object.js';
import { openContext } from '../../src/security/contexts.js';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { startApp, type TestRuntime } from '../security/harness.js';
import { filesApp, handles, newFileDocument } from './harness.js';

/**
 * Microflows and TypeScript actions read and write file contents: the
 * built-in actions System.StoreStringAsFile, System.ReadFileAsString and
 * System.CopyFileContents, and ctx.readFile / readFileBytes / writeFile with a
 * stream; contents written by a microflow that then fails are not recorded.
 */
describe.each(['sqlite', 'postgres'] as const)('file contents in microflows on %s', (dialect) => {
  let db: TestDatabase;
  let app: { dir: string; remove(): void };
  let t: TestRuntime;

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    app = filesApp();
    t = await startApp(app.dir, db.url, { FileCleanupMinAge: 0, FileCleanupInterval: 0 });
  });
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
    app?.remove();
  });

  async function load(guid: string): Promise<MxObject> {
    const { db: raw } = handles(t);
    const engine = t.rt.ctx.services.require('microflows');
    const found = await engine.query
      .prepare(t.rt.ctx.model, { entity: 'Catalog.Datasheet', xpath: `[id = ${guid}]`, sort: [] }, false)
      .run(raw as never, openContext(t.rt.ctx.model), {}, {});
    return found[0]!;
  }

  it('stores a string as a file, copies it, and reads it back', async () => {
    const sheet = await newFileDocument(t, 'Catalog.Datasheet');
    const copy = await newFileDocument(t, 'Catalog.Datasheet');
    const engine = t.rt.ctx.services.require('microflows');
    const r = await engine.runMicroflow(
      'Catalog.Datasheet_RoundTrip',
      { Sheet: await load(sheet), Copy: await load(copy), Text: 'Grüße aus Kiln' },
      openContext(t.rt.ctx.model),
    );
    expect(r.value).toBe('Grüße aus Kiln');
    const { files } = handles(t);
    expect(await files.info(BigInt(copy))).toMatchObject({ name: 'notes.txt', size: 16, hasContents: true });
    expect((await files.readBytes(BigInt(sheet)))?.toString('utf8')).toBe('Grüße aus Kiln');
  });

  it('gives TypeScript actions a stream API; a failing microflow records nothing and the clean-up removes what it wrote', async () => {
    const sheet = await newFileDocument(t, 'Catalog.Datasheet');
    const engine = t.rt.ctx.services.require('microflows');
    const { files } = handles(t);
    await files.cleanup();
    await expect(engine.runMicroflow('Catalog.Datasheet_Failing', { Sheet: await load(sheet) }, openContext(t.rt.ctx.model))).rejects.toThrow(
      'failed after writing',
    );
    expect(await files.info(BigInt(sheet))).toMatchObject({ key: null, hasContents: false });
    expect((await files.cleanup()).deleted).toBe(1);
  });
});
