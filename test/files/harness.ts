import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { parse, stringify } from 'yaml';
import { commitObjects, createObject, type Database, type IdGenerator } from '../../src/data/index.js';
import type { FileService } from '../../src/files/service.js';
import { salesCopy, type TestRuntime } from '../security/harness.js';

/**
 * examples/sales with two file entities in Catalog: ProductPicture (an Image:
 * managers write, everyone with Catalog.Viewer reads) and Datasheet (a
 * FileDocument only managers read and write).
 */
export function filesApp(): { dir: string; remove(): void } {
  const app = salesCopy();
  const file = join(app.dir, 'modules', 'Catalog', 'domain-model.yaml');
  const dm = parse(readFileSync(file, 'utf8')) as { entities: Record<string, unknown>; $schema?: string };
  delete dm.$schema;
  dm.entities.ProductPicture = {
    generalization: 'System.Image',
    access: [
      { roles: ['Manager'], create: true, delete: true, read: '*', write: '*' },
      { roles: ['Viewer'], read: '*' },
    ],
  };
  dm.entities.Datasheet = {
    generalization: 'System.FileDocument',
    access: [{ roles: ['Manager'], create: true, delete: true, read: '*', write: '*' }],
  };
  writeFileSync(file, stringify(dm));
  // Microflows and a TypeScript action that write and read contents.
  const mfDir = join(app.dir, 'modules', 'Catalog', 'microflows');
  mkdirSync(mfDir, { recursive: true });
  writeFileSync(
    join(mfDir, 'Datasheet_RoundTrip.yaml'),
    stringify({
      parameters: { Sheet: 'Catalog.Datasheet', Copy: 'Catalog.Datasheet', Text: 'String' },
      returns: 'String',
      body: [
        { action: { name: 'System.StoreStringAsFile', with: { File: '$Sheet', Text: '$Text', Name: "'notes.txt'" } } },
        { action: { name: 'System.CopyFileContents', with: { Source: '$Sheet', Target: '$Copy' } } },
        { action: { name: 'System.ReadFileAsString', with: { File: '$Copy' }, into: 'Read' } },
        { return: '$Read' },
      ],
    }),
  );
  writeFileSync(
    join(mfDir, 'Datasheet_Failing.yaml'),
    stringify({
      parameters: { Sheet: 'Catalog.Datasheet' },
      body: [{ action: { name: 'Catalog.WriteStream', with: { File: '$Sheet' } } }, { error: { message: "'failed after writing'" } }],
    }),
  );
  writeFileSync(
    join(app.dir, 'modules', 'Catalog', 'pages', 'Picture_Overview.yaml'),
    stringify({
      title: 'Pictures',
      allowedRoles: ['Manager', 'Viewer'],
      widgets: [
        {
          listView: {
            name: 'picturesList',
            source: { xpath: '//Catalog.ProductPicture', sort: ['Name'] },
            widgets: [{ imageViewer: { label: 'Picture', maxFileSize: 5 } }],
          },
        },
        {
          listView: {
            name: 'sheetsList',
            source: { xpath: '//Catalog.Datasheet', sort: ['Name'] },
            widgets: [{ fileManager: { label: 'Datasheet' } }],
          },
        },
      ],
    }),
  );
  const actDir = join(app.dir, 'modules', 'Catalog', 'actions');
  mkdirSync(actDir, { recursive: true });
  writeFileSync(
    join(actDir, 'WriteStream.js'),
    `import { Readable } from 'node:stream';
export default {
  parameters: { File: 'Catalog.Datasheet' },
  returns: 'Long',
  async run({ File }, ctx) {
    await ctx.writeFile(File, Readable.from([Buffer.from('streamed '), Buffer.from('contents')]), 'stream.txt');
    const back = await ctx.readFileBytes(File);
    return BigInt(back.length);
  },
};
`,
  );
  return app;
}

export interface Handles {
  readonly db: Database;
  readonly ids: IdGenerator;
  readonly files: FileService;
}

export function handles(t: TestRuntime): Handles {
  const s = t.rt.ctx.services;
  return { db: s.require('db'), ids: s.require('ids'), files: s.require('files') };
}

/** A committed object of `entity` (system context), its id as the client writes it. */
export async function newFileDocument(t: TestRuntime, entity: string, name = ''): Promise<string> {
  const { db, ids } = handles(t);
  const model = t.rt.ctx.model;
  const o = await createObject(model, entity, ids);
  o.values.set('Name', name);
  await db.transaction((tx) => commitObjects(tx, model, [o]));
  return String(o.id);
}

export async function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .png()
    .toBuffer();
}

/** POST /file as the browser client does: multipart form data, the file in field mxdocument. */
export async function upload(
  url: string,
  guid: string,
  data: Uint8Array | string,
  filename: string,
  headers: Record<string, string>,
  query = '',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  form.append('mxdocument', new Blob([typeof data === 'string' ? data : new Uint8Array(data)]), filename);
  const res = await fetch(`${url}/file?guid=${guid}${query}`, { method: 'POST', headers, body: form });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
