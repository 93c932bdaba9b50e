import { randomUUID } from 'node:crypto';
import { PassThrough, Readable, Transform } from 'node:stream';
import { HttpError } from '../core/errors.js';
import { importExternal } from '../core/import-external.js';
import type { Logger } from '../core/logger.js';
import { fromDbValue, idToDb, placeholder, quoteIdentifier, toDbValue, type Database, type Queryable } from '../data/index.js';
import type { CAttribute, CEntity, CompiledModel } from '../model/compiled/types.js';
import type { ObjectId } from '../objects/values.js';
import { sniffImage } from './content-types.js';
import type { FileStore } from './store.js';

/** sharp (libvips) is loaded at the first thumbnail: most runtimes never make one, and it costs start-up time and memory. */
let sharpModule: Promise<typeof import('sharp')> | undefined;
const loadSharp = () => (sharpModule ??= importExternal<typeof import('sharp')>('sharp'));

/** Hidden columns of `system$filedocument`, as Mendix names them: the storage key, and the legacy file number. */
const UUID_COLUMN = '__uuid__';
const FILENAME_COLUMN = '__filename__';
const THUMB = '.thumb';
/** Mendix's default thumbnail box. */
const THUMB_WIDTH = 100;
const THUMB_HEIGHT = 75;
const REF_CHUNK = 200;

export interface FileInfo {
  readonly id: ObjectId;
  /** Storage key, or null when the object has no contents. */
  readonly key: string | null;
  readonly name: string;
  readonly size: number;
  readonly hasContents: boolean;
  readonly changedDate: Date | null;
}

export interface StoreOptions {
  /** File name to record in `Name` (an upload's name); unchanged when undefined. */
  readonly name?: string;
  /** Maximum bytes; more is refused with 413 and nothing is recorded. */
  readonly maxSize?: number;
  /** The request's signal: an aborted upload stops and leaves nothing recorded. */
  readonly signal?: AbortSignal;
}

export interface FileServiceOptions {
  readonly maxSize: number;
  /** PerformDeleteFromStorage: the clean-up removes unreferenced contents; when false it keeps them. */
  readonly performDelete: boolean;
  /** Milliseconds a stored file must be unreferenced before the clean-up removes it (uploads in flight are not yet referenced). */
  readonly cleanupMinAge: number;
}

/**
 * The contents of FileDocuments (and specialisations such as System.Image):
 * kept in a `FileStore` under a fresh key per write, referenced from the row's
 * `__uuid__`. Writing contents streams them to the store first, then records
 * the key, `Size`, `HasContents` (and `Name`, `changedDate`) in the caller's
 * transaction: when that transaction rolls back, the row keeps its old key
 * and the new contents are unreferenced. Replaced and deleted contents are
 * never removed at once: `cleanup` removes every stored key that no row
 * references (after `cleanupMinAge`), so a rollback can never lose contents a
 * committed row still points to.
 */
export class FileService {
  private readonly root: CEntity;
  private readonly attr: (name: string) => CAttribute;

  constructor(
    private readonly model: CompiledModel,
    private readonly db: Database,
    readonly store: FileStore,
    private readonly opts: FileServiceOptions,
    private readonly log: Logger,
  ) {
    this.root = model.entities.get('System.FileDocument')!;
    this.attr = (name) => this.root.attributes.get(name)!;
  }

  get maxSize(): number {
    return this.opts.maxSize;
  }

  /** The entity is System.FileDocument or one of its specialisations. */
  isFileEntity(entity: string): boolean {
    return this.model.entities.get(entity)?.chain.includes('System.FileDocument') ?? false;
  }

  isImageEntity(entity: string): boolean {
    return this.model.entities.get(entity)?.chain.includes('System.Image') ?? false;
  }

  private q(name: string): string {
    return quoteIdentifier(this.db.dialect, name);
  }

  /** The stored facts of a FileDocument (no access check: callers check entity access first). */
  async info(id: ObjectId, q: Queryable = this.db): Promise<FileInfo | undefined> {
    const a = this.attr;
    const cols = [UUID_COLUMN, a('Name').column, a('Size').column, a('HasContents').column, a('changedDate').column].map((c) => this.q(c)).join(', ');
    const rows = await q.query<Record<string, unknown>>(`SELECT ${cols} FROM ${this.q(this.root.table)} WHERE ${this.q('id')} = ${placeholder(q.dialect, 1)}`, [
      idToDb(q.dialect, id),
    ]);
    const r = rows[0];
    if (!r) return undefined;
    const v = (name: string) => fromDbValue(q.dialect, a(name), r[a(name).column]);
    const size = v('Size');
    return {
      id,
      key: typeof r[UUID_COLUMN] === 'string' && r[UUID_COLUMN] ? (r[UUID_COLUMN] as string) : null,
      name: (v('Name') as string | null) ?? '',
      size: size === null ? -1 : Number(size),
      hasContents: v('HasContents') === true,
      changedDate: (v('changedDate') as Date | null) ?? null,
    };
  }

  /** The contents of a FileDocument, streamed; undefined when it has none (or they are missing from the store). */
  async read(id: ObjectId, q: Queryable = this.db): Promise<Readable | undefined> {
    const info = await this.info(id, q);
    return info?.key ? this.store.get(info.key) : undefined;
  }

  /** The thumbnail of an Image, or its contents when it has no thumbnail. */
  async readThumbnail(key: string): Promise<{ stream: Readable; thumbnail: boolean } | undefined> {
    const t = await this.store.get(key + THUMB);
    if (t) return { stream: t, thumbnail: true };
    const c = await this.store.get(key);
    return c ? { stream: c, thumbnail: false } : undefined;
  }

  /**
   * Streams `body` to the store as the new contents of the FileDocument `id`
   * (of entity `entity`), then records them in `q` (a transaction of the
   * caller's, or a transaction of its own when omitted). An Image's contents
   * must be an image (checked on its first bytes and by decoding it for the
   * thumbnail). Throws HttpError 404 when the row is gone, 413 when larger
   * than the limit, 400 when an Image's contents are not an image.
   */
  async write(entity: string, id: ObjectId, body: Readable, opts: StoreOptions = {}, q?: Queryable): Promise<{ size: number; key: string }> {
    if (!this.isFileEntity(entity)) throw new HttpError(400, `${entity} is not a FileDocument`);
    const image = this.isImageEntity(entity);
    const limit = Math.min(opts.maxSize ?? this.opts.maxSize, this.opts.maxSize);
    const key = randomUUID();
    let size = 0;
    let head: Buffer = Buffer.alloc(0);
    const guard = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > limit) return cb(new HttpError(413, `the file is larger than the maximum of ${limit} bytes`));
        if (image && head.length < 16) {
          head = Buffer.concat([head, chunk.subarray(0, 16)]);
          if (head.length >= 16 && !sniffImage(head)) return cb(new HttpError(400, 'the contents of an image must be a PNG, JPEG, GIF, WebP or BMP image'));
        }
        cb(null, chunk);
      },
      flush(cb) {
        if (image && !sniffImage(head)) return cb(new HttpError(400, 'the contents of an image must be a PNG, JPEG, GIF, WebP or BMP image'));
        cb();
      },
    });
    const onAbort = () => guard.destroy(new HttpError(499, 'the upload was aborted'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    body.on('error', (e) => guard.destroy(e));
    let stored: Promise<{ size: number }>;
    try {
      stored = this.store.put(key, body.pipe(guard));
      await stored;
      if (image) await this.makeThumbnail(key);
    } catch (e) {
      await this.discard(key);
      throw e;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    const record = async (tx: Queryable) => {
      const a = this.attr;
      const ph = (i: number) => placeholder(tx.dialect, i);
      const sets: [string, unknown][] = [
        [UUID_COLUMN, key],
        [a('Size').column, toDbValue(tx.dialect, a('Size'), String(size))],
        [a('HasContents').column, toDbValue(tx.dialect, a('HasContents'), true)],
        [a('changedDate').column, toDbValue(tx.dialect, a('changedDate'), new Date())],
      ];
      if (opts.name !== undefined) sets.push([a('Name').column, toDbValue(tx.dialect, a('Name'), opts.name.slice(0, 400))]);
      const sql = `UPDATE ${this.q(this.root.table)} SET ${sets.map(([c], i) => `${this.q(c)} = ${ph(i + 1)}`).join(', ')}, ${this.q(FILENAME_COLUMN)} = ${this.q(a('FileID').column)} WHERE ${this.q('id')} = ${ph(sets.length + 1)}`;
      const r = await tx.execute(sql, [...sets.map(([, v]) => v), idToDb(tx.dialect, id)]);
      if (r.affectedRows === 0) throw new HttpError(404, 'no such file document');
    };
    try {
      if (q) await record(q);
      else await this.db.transaction(record);
    } catch (e) {
      // Not recorded (in a transaction of its own): nothing references the key.
      if (!q) await this.discard(key);
      throw e;
    }
    return { size, key };
  }

  /** Writes bytes or a string (UTF-8) as the contents: for microflows and TypeScript actions. */
  async writeBytes(entity: string, id: ObjectId, data: Uint8Array | string, opts: StoreOptions = {}, q?: Queryable): Promise<{ size: number; key: string }> {
    return this.write(entity, id, Readable.from([typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data)]), opts, q);
  }

  /** Reads the whole contents into memory (for small files: microflows' "read as string"). Undefined when there are none. */
  async readBytes(id: ObjectId, q?: Queryable): Promise<Buffer | undefined> {
    const s = await this.read(id, q);
    if (!s) return undefined;
    const parts: Buffer[] = [];
    for await (const c of s) parts.push(c as Buffer);
    return Buffer.concat(parts);
  }

  private async makeThumbnail(key: string): Promise<void> {
    const src = await this.store.get(key);
    if (!src) throw new Error(`contents ${key} vanished before their thumbnail was made`);
    const { default: sharp } = await loadSharp();
    const resize = sharp({ limitInputPixels: 100_000_000 }).rotate().resize(THUMB_WIDTH, THUMB_HEIGHT, { fit: 'inside', withoutEnlargement: true }).png();
    const out = new PassThrough();
    src.on('error', (e) => resize.destroy(e));
    resize.on('error', (e) =>
      out.destroy(e.message.includes('unsupported image format') || e.message.includes('Input') ? new HttpError(400, `not a readable image: ${e.message}`) : e),
    );
    src.pipe(resize).pipe(out);
    await this.store.put(key + THUMB, out, 'image/png');
  }

  private async discard(key: string): Promise<void> {
    for (const k of [key, key + THUMB]) {
      await this.store.delete(k).catch((e) => this.log.warn({ err: e, key: k }, 'could not remove unrecorded contents; the clean-up will'));
    }
  }

  /**
   * Removes stored contents that no FileDocument references any more (deleted
   * objects, replaced contents, uploads whose transaction rolled back) and that
   * are older than `cleanupMinAge`. Does nothing when PerformDeleteFromStorage
   * is off. Safe to run on several instances at once.
   */
  async cleanup(now = Date.now()): Promise<{ deleted: number; kept: number }> {
    if (!this.opts.performDelete) return { deleted: 0, kept: 0 };
    const candidates: string[] = [];
    for await (const f of this.store.list()) if (now - f.modified.getTime() >= this.opts.cleanupMinAge) candidates.push(f.key);
    let deleted = 0;
    let kept = 0;
    for (let i = 0; i < candidates.length; i += REF_CHUNK) {
      const part = candidates.slice(i, i + REF_CHUNK);
      const base = [...new Set(part.map((k) => (k.endsWith(THUMB) ? k.slice(0, -THUMB.length) : k)))];
      const ph = base.map((_, j) => placeholder(this.db.dialect, j + 1)).join(', ');
      const rows = await this.db.query<Record<string, unknown>>(
        `SELECT ${this.q(UUID_COLUMN)} AS k FROM ${this.q(this.root.table)} WHERE ${this.q(UUID_COLUMN)} IN (${ph})`,
        base,
      );
      const referenced = new Set(rows.map((r) => String(r.k)));
      for (const k of part) {
        if (referenced.has(k.endsWith(THUMB) ? k.slice(0, -THUMB.length) : k)) {
          kept++;
          continue;
        }
        await this.store.delete(k);
        deleted++;
      }
    }
    if (deleted) this.log.info({ deleted }, 'unreferenced file contents removed');
    return { deleted, kept };
  }
}
