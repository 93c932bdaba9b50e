import type { Dialect } from './dialect.js';

/**
 * The databases Kiln runs on: each a folder here exporting its `Dialect`,
 * loaded on first use, with the URL schemes that name it. A fourth database
 * is one more folder and one more line.
 */
interface Entry {
  readonly name: string;
  readonly schemes: readonly string[];
  /** The URL form, for messages. */
  readonly url: string;
  readonly load: () => Promise<Dialect>;
}

const DIALECTS: readonly Entry[] = [
  { name: 'sqlite', schemes: ['sqlite'], url: 'sqlite:<path>', load: async () => (await import('./sqlite/index.js')).sqlite },
  {
    name: 'postgres',
    schemes: ['postgres', 'postgresql'],
    url: 'postgres://user:password@host:port/database',
    load: async () => (await import('./postgres/index.js')).postgres,
  },
  { name: 'mysql', schemes: ['mysql', 'mariadb'], url: 'mysql://user:password@host:port/database', load: async () => (await import('./mysql/index.js')).mysql },
];

/** The dialect of tools that need one but no database (`kiln explain` without --db). */
export const defaultDialectName = 'sqlite';

/** The dialects' names (`sqlite`, ...), in the registry's order. */
export const dialectNames: readonly string[] = DIALECTS.map((d) => d.name);

/** The dialect a name or URL scheme (case-insensitive) stands for, or undefined when there is none. */
export async function loadDialect(nameOrScheme: string): Promise<Dialect | undefined> {
  const s = nameOrScheme.toLowerCase();
  return DIALECTS.find((d) => d.name === s || d.schemes.includes(s))?.load();
}

/** `a, b or c`: the names or URL forms of every dialect, for messages. */
export function listOf(what: 'names' | 'urls'): string {
  const items = DIALECTS.map((d) => (what === 'names' ? d.name : d.url));
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
