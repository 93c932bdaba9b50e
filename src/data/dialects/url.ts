import { UserError } from '../../model/diagnostics.js';
import type { Dialect } from './dialect.js';
import { listOf, loadDialect } from './registry.js';

export interface ParsedUrl {
  readonly dialect: Dialect;
  /** sqlite: the file path (or `:memory:`); others: the URL as the driver takes it. */
  readonly target: string;
  /** The URL with any password replaced by ***, for messages and logs. */
  readonly display: string;
}

/**
 * Picks the dialect from the URL's scheme (`sqlite:path`, `postgres://...`
 * or postgresql://, `mysql://...` or mariadb://; see registry.ts), loads it,
 * and lets it read the rest.
 */
export async function parseDatabaseUrl(url: string): Promise<ParsedUrl> {
  const u = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(u)?.[1];
  const dialect = scheme === undefined ? undefined : await loadDialect(scheme);
  if (!dialect) throw notUnderstood(u);
  return { dialect, ...dialect.parseUrl(url) };
}

/**
 * A server's URL (`scheme://user:password@host:port/database`), checked:
 * the target is `target` (the URL, or a form of it the driver takes).
 */
export function serverUrl(url: string, target = url.trim()): { target: string; display: string } {
  const u = url.trim();
  if (!/^[a-z]+:\/\//i.test(u)) throw notUnderstood(u);
  try {
    new URL(target);
  } catch {
    throw new UserError(`database URL '${redact(u)}' is malformed`);
  }
  return { target, display: redact(u) };
}

function notUnderstood(u: string): UserError {
  return new UserError(`database URL '${redact(u)}' is not understood (expected ${listOf('urls')})`);
}

function redact(url: string): string {
  try {
    const p = new URL(url);
    if (p.password) p.password = '***';
    return p.toString();
  } catch {
    return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  }
}
