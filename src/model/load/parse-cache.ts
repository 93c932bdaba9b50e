import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';

/**
 * The parsed data of an app's model files from its last load, by file and the hash of its text:
 * parsing YAML with positions is about half of checking a large model (200 entities, 300
 * microflows, 100 pages: 400 KB of YAML), and between two loads most files are unchanged. A file
 * whose text is unchanged gets its data back; its positions are parsed only if a problem in it
 * needs them (source-file.ts). Only files that parsed without any problem are kept.
 *
 * One file per app folder in the user's cache folder (`$XDG_CACHE_HOME/kiln/models` or
 * `~/.cache/kiln/models`, created private to the user); a cache that cannot be read or written
 * is simply not used. Entries are keyed by the `yaml` library's and the cache format's version
 * too, so an upgrade never serves data an older parser made.
 */
const FORMAT = 1;

interface Stored {
  readonly key: string;
  readonly entries: Record<string, { readonly hash: string; readonly data: unknown }>;
}

export class ParseCache {
  private readonly entries = new Map<string, { hash: string; data: unknown }>();
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly key: string,
  ) {}

  /** The cache of an app folder in `dir`, read now; undefined when there is no usable cache folder. */
  static async open(appDir: string, dir: string | undefined = defaultCacheDir()): Promise<ParseCache | undefined> {
    const key = versionKey();
    if (!dir || !key) return undefined;
    const file = join(dir, `${createHash('sha256').update(resolve(appDir)).digest('hex').slice(0, 32)}.bin`);
    const cache = new ParseCache(file, key);
    try {
      const stored = deserialize(await readFile(file)) as Stored;
      if (stored?.key === key && stored.entries && typeof stored.entries === 'object') {
        for (const [rel, e] of Object.entries(stored.entries)) cache.entries.set(rel, e);
      }
    } catch {
      // No cache yet, or an unreadable one: it is written anew.
    }
    return cache;
  }

  static hash(text: string): string {
    return createHash('sha256').update(text).digest('base64');
  }

  /** The data of a file whose text has this hash, if it was kept. */
  get(rel: string, hash: string): unknown {
    const e = this.entries.get(rel);
    return e && e.hash === hash ? e.data : undefined;
  }

  set(rel: string, hash: string, data: unknown): void {
    this.entries.set(rel, { hash, data });
    this.changed = true;
  }

  /** Keeps only the files of this load (a removed file's entry goes). */
  retain(rels: ReadonlySet<string>): void {
    for (const rel of [...this.entries.keys()]) {
      if (!rels.has(rel)) {
        this.entries.delete(rel);
        this.changed = true;
      }
    }
  }

  /** Writes the cache when it changed (to a new file, then renamed over the old one). */
  async save(): Promise<void> {
    if (!this.changed) return;
    const stored: Stored = { key: this.key, entries: Object.fromEntries(this.entries) };
    try {
      await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
      const tmp = `${this.file}.${randomBytes(6).toString('hex')}`;
      await writeFile(tmp, serialize(stored), { mode: 0o600 });
      await rename(tmp, this.file);
      this.changed = false;
    } catch {
      // A read-only home or a full disk: the next load parses again.
    }
  }
}

function defaultCacheDir(): string | undefined {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : undefined);
  return base ? join(base, 'kiln', 'models') : undefined;
}

let key: string | null | undefined;
/** The cache format and the `yaml` library's version; null when the version cannot be read (no cache then). */
function versionKey(): string | null {
  if (key === undefined) {
    try {
      const require = createRequire(import.meta.url);
      const { version } = require('yaml/package.json') as { version: string };
      key = `${FORMAT}:yaml@${version}`;
    } catch {
      key = null;
    }
  }
  return key;
}
