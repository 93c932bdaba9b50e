import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';

export interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
  readonly cacheControl: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/**
 * The Content-Security-Policy of the browser client: its own scripts, styles,
 * images (and data: URLs, the page's empty icon), fonts and /xas/ calls only; no
 * inline script or <style>, no plug-ins, no framing by other sites. (Styles set
 * through React's style prop are CSSOM and allowed.)
 */
export const CLIENT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Files under assets/ carry a content hash in their name: the browser may keep them a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Reads the built client (client/dist) into memory once: it is small, and
 * serving from memory needs no file access per request. URL path -> file.
 */
export async function loadStaticFiles(dir: string, opts: { title?: string; dev?: boolean; theme?: Buffer } = {}): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) {
        await walk(full);
        continue;
      }
      const url = `/${relative(dir, full).split(sep).join('/')}`;
      let body = await readFile(full);
      // The sign-in page shows the app's name before anything else is loaded.
      if (url === '/index.html' && opts.title)
        body = Buffer.from(body.toString('utf8').replace(/<title>[^<]*<\/title>/, `<title>${escapeHtml(opts.title)}</title>`));
      // Under `kiln dev` the client listens to /dev/events (model swapped: reload; errors: shown).
      if (url === '/index.html' && opts.dev) body = Buffer.from(body.toString('utf8').replace('<head>', '<head><meta name="kiln-dev" content="1">'));
      // The app's theme (theme.css in the app folder) comes after the client's styles, so its variables win.
      if (url === '/index.html' && opts.theme) body = Buffer.from(body.toString('utf8').replace('</head>', '<link rel="stylesheet" href="/theme.css"></head>'));
      const cacheControl = url === '/index.html' ? 'no-cache' : url.startsWith('/assets/') ? IMMUTABLE : 'public, max-age=3600';
      files.set(url, {
        body,
        type: TYPES[extname(full)] ?? 'application/octet-stream',
        cacheControl,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      });
    }
  };
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) return files;
  await walk(dir);
  if (opts.theme)
    files.set('/theme.css', {
      body: opts.theme,
      type: TYPES['.css']!,
      cacheControl: 'no-cache',
      etag: `"${createHash('sha256').update(opts.theme).digest('base64url').slice(0, 22)}"`,
    });
  return files;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
