import { resolve } from 'node:path';
import { UserError } from '../../model/diagnostics.js';
import type { DialectName } from './names.js';

export interface ParsedUrl {
  readonly dialect: DialectName;
  /** sqlite: the file path (or `:memory:`); others: the URL as given. */
  readonly target: string;
  /** The URL with any password replaced by ***, for messages and logs. */
  readonly display: string;
}

/** Picks the dialect from the URL: `sqlite:path`, `postgres://...` (or postgresql://), `mysql://...` (or mariadb://). */
export function parseDatabaseUrl(url: string): ParsedUrl {
  const u = url.trim();
  if (/^sqlite:/i.test(u)) {
    let path = u.replace(/^sqlite:(\/\/)?/i, '');
    if (path === '') throw new UserError(`database URL '${url}' names no file (write sqlite:<path>)`);
    if (path !== ':memory:') path = resolve(path);
    return { dialect: 'sqlite', target: path, display: `sqlite:${path}` };
  }
  const m = /^([a-z]+):\/\//i.exec(u);
  const scheme = m?.[1]?.toLowerCase();
  let dialect: DialectName | undefined;
  if (scheme === 'postgres' || scheme === 'postgresql') dialect = 'postgres';
  else if (scheme === 'mysql' || scheme === 'mariadb') dialect = 'mysql';
  if (!dialect) throw new UserError(`database URL '${redact(u)}' is not understood (expected sqlite:<path>, postgres://user:password@host:port/database or mysql://user:password@host:port/database)`);
  let target = u;
  if (scheme === 'mariadb') target = u.replace(/^mariadb:/i, 'mysql:');
  try { new URL(target); } catch { throw new UserError(`database URL '${redact(u)}' is malformed`); }
  return { dialect, target, display: redact(u) };
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
