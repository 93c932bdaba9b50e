import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Where the contents of FileDocuments live, by storage key (the row's
 * `__uuid__`; a thumbnail under `<key>.thumb`). Keys are made by the runtime
 * (UUIDs), never by a client. Implementations: a local folder (`LocalFileStore`)
 * and any S3-compatible object store (`S3FileStore`).
 */
export interface FileStore {
  /** Human-readable location for logs (no secrets). */
  readonly description: string;
  /** Streams `body` to `key` (never held in memory whole); resolves with the bytes written. A failed write leaves nothing under `key`. */
  put(key: string, body: Readable, contentType?: string): Promise<{ readonly size: number }>;
  /** The contents, streamed; undefined when nothing is stored under `key`. */
  get(key: string): Promise<Readable | undefined>;
  /** Removes `key` (no error when absent). */
  delete(key: string): Promise<void>;
  /** Every stored key with its last-modified time (for the clean-up of unreferenced files). */
  list(): AsyncIterable<{ readonly key: string; readonly modified: Date }>;
  close?(): Promise<void>;
}

const KEY = /^[0-9a-f-]{36}(\.thumb)?$/;

/** Refuses a key the runtime did not make (no path separators, no dots to climb out of the folder). */
export function checkKey(key: string): string {
  if (!KEY.test(key)) throw new Error(`invalid storage key '${key}'`);
  return key;
}

/**
 * Files in one folder (`UploadedFilesPath`), one file per key. A write goes to
 * a temporary name first and is renamed when complete, so a reader never sees
 * a partial file and a failed upload leaves only a temporary file that the
 * next start removes.
 */
export class LocalFileStore implements FileStore {
  readonly description: string;

  constructor(private readonly dir: string) {
    this.description = `local folder ${dir}`;
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const name of await readdir(this.dir)) if (name.endsWith('.part')) await rm(join(this.dir, name), { force: true });
  }

  async put(key: string, body: Readable): Promise<{ size: number }> {
    const final = join(this.dir, checkKey(key));
    const tmp = `${final}.${process.pid}.${Date.now()}.part`;
    try {
      await pipeline(body, createWriteStream(tmp, { flags: 'wx' }));
      await rename(tmp, final);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    return { size: (await stat(final)).size };
  }

  async get(key: string): Promise<Readable | undefined> {
    const path = join(this.dir, checkKey(key));
    try {
      await stat(path);
    } catch {
      return undefined;
    }
    return createReadStream(path);
  }

  async delete(key: string): Promise<void> {
    await rm(join(this.dir, checkKey(key)), { force: true });
  }

  async *list(): AsyncIterable<{ key: string; modified: Date }> {
    for (const name of await readdir(this.dir)) {
      if (!KEY.test(name)) continue;
      try {
        yield { key: name, modified: (await stat(join(this.dir, name))).mtime };
      } catch {
        /* removed meanwhile */
      }
    }
  }
}
