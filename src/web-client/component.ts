import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RuntimeComponent, RuntimeContext } from '../core/runtime-context.js';
import { canOpenPage } from '../security/document-access.js';
import type { UserContext } from '../security/user-context.js';
import { buildClientPage } from './build-page.js';
import { ConditionTable } from './conditions.js';
import { ensureLanguages, resolveLanguage, userLanguageReader, userLanguageWriter } from './language.js';
import { HttpError } from '../core/errors.js';
import { timingSafeEqual } from 'node:crypto';
import { buildNavigation } from './navigation.js';
import { ensureTimeZones } from './time-zones.js';
import { loadJsActions, type JsActions } from './js-actions.js';
import { CLIENT_CSP, loadStaticFiles, type StaticFile } from './static-files.js';
import { resolveUser } from './session-user.js';
import { LOG_NODES } from '../core/log-node-names.js';

declare module '../core/services.js' {
  interface Services {
    /** Present under `kiln dev`: the page shell then tells the client to listen to /dev/events. */
    devMode: { readonly events: string };
  }
}

/** Files of the app's images/ folder that are served (images only, never model files or code). */
const IMAGE_TYPES = /\.(png|jpe?g|gif|svg|webp)$/i;

/** The built browser client, next to this package's dist/ and src/. */
const DEFAULT_CLIENT_DIR = fileURLToPath(new URL('../../client/dist', import.meta.url));

interface CachedJson {
  readonly body: string;
  readonly etag: string;
}

/**
 * Serves the browser client: the built single-page app at `/` (index.html never
 * cached, hashed assets cached for a year) and the page definitions it renders,
 * `GET /pages/<Module.Page>.json` and `GET /pages/_navigation.json`, each built
 * for the caller's module roles (cached per set of roles) and revalidated by
 * the browser with an ETag.
 */
export function clientComponent(opts: { clientDir?: string } = {}): RuntimeComponent {
  let files = new Map<string, StaticFile>();
  let jsActions: JsActions = { files: new Map(), urls: new Map() };
  const cache = new Map<string, CachedJson>();
  let conditions: ConditionTable | undefined;
  let userLanguage: (userId: bigint) => Promise<string | null> = async () => null;
  let setUserLanguage: ((userId: bigint, code: string) => Promise<boolean>) | undefined;
  let timeZones: Promise<void> = Promise.resolve();

  const sendJson = (req: FastifyRequest, reply: FastifyReply, key: string, build: () => unknown) => {
    let c = cache.get(key);
    if (!c) {
      const body = JSON.stringify(build());
      c = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
      cache.set(key, c);
    }
    reply.header('Cache-Control', 'private, no-cache').header('Vary', 'Cookie, Accept-Language').header('ETag', c.etag);
    if (req.headers['if-none-match'] === c.etag) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(c.body);
  };

  const rolesKey = (u: UserContext) => `${u.applyEntityAccess ? 'R' : 'U'}:${[...u.moduleRoles].sort().join(',')}`;

  const sendFile = (req: FastifyRequest, reply: FastifyReply, f: StaticFile) => {
    reply
      .header('Cache-Control', f.cacheControl)
      .header('ETag', f.etag)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', CLIENT_CSP);
    if (req.headers['if-none-match'] === f.etag) return reply.code(304).send();
    return reply.type(f.type).send(f.body);
  };

  return {
    name: 'client',
    async start(ctx: RuntimeContext) {
      const dir = opts.clientDir ?? DEFAULT_CLIENT_DIR;
      // An app's theme.css overrides the client's CSS variables (colours, fonts, spacing) without a build.
      const theme = await readFile(join(ctx.appDir, 'theme.css')).catch(() => undefined);
      files = await loadStaticFiles(dir, { title: ctx.model.app.name, dev: ctx.services.get('devMode') !== undefined, ...(theme ? { theme } : {}) });
      // Visibility expressions, compiled once (kiln check reported their errors).
      conditions = ConditionTable.compile(ctx.model, []);
      const db = ctx.services.get('db');
      const ids = ctx.services.get('ids');
      if (db) {
        if (ids) {
          await ensureLanguages(ctx.model, db, ids);
          // A new database's ~400 zones take a few hundred milliseconds to describe and insert: in the
          // background, so start-up does not wait for them (stop does). Later starts find them all in one SELECT.
          const log = ctx.log.child({ node: LOG_NODES.webUi });
          timeZones = ensureTimeZones(ctx.model, db, ids).then(
            (n) => (n > 0 ? log.info({ zones: n }, 'System.TimeZone filled') : undefined),
            (e: unknown) => log.warn({ err: e }, 'System.TimeZone could not be filled; retried at the next start'),
          );
        }
        userLanguage = userLanguageReader(ctx.model, db);
        setUserLanguage = userLanguageWriter(ctx.model, db);
      }
      jsActions = await loadJsActions(ctx.appDir, ctx.model);
      for (const [path, f] of jsActions.files) files.set(path, f);
      // The app's static images (the image widget's src), read once like the client: /images/<path>.
      for (const [path, f] of await loadStaticFiles(join(ctx.appDir, 'images')))
        if (IMAGE_TYPES.test(path)) files.set(`/images${path}`, { ...f, cacheControl: 'public, max-age=3600' });
      if (!files.has('/index.html'))
        ctx.log.child({ node: LOG_NODES.webUi }).warn({ dir }, 'the browser client is not built (run npm run build); / will answer 503');
    },
    async stop() {
      await timeZones;
    },
    routes(app, ctx) {
      const registry = () => ctx.services.require('operations');

      // A language selector's choice, stored as Mendix does: the user's System.User_Language.
      app.post('/pages/_language', { bodyLimit: 1024 }, async (req, reply) => {
        const languages = ctx.model.app.languages ?? [];
        const sessions = ctx.model.security.level === 'off' ? undefined : ctx.services.get('sessions');
        const user = sessions ? await sessions.contextOf(req) : undefined;
        if (sessions) {
          if (!user || user.userId === null) throw new HttpError(401, 'not signed in');
          const expected = await sessions.csrfTokenOf(req);
          const given = req.headers['x-csrf-token'];
          if (!expected || typeof given !== 'string' || !sameText(given, expected)) throw new HttpError(403, 'a session needs its X-Csrf-Token header');
        }
        const body = req.body as { language?: unknown } | undefined;
        const language = body && typeof body === 'object' ? body.language : undefined;
        if (typeof language !== 'string' || !languages.includes(language))
          throw new HttpError(400, `unknown language ${JSON.stringify(language ?? null)}: the app's languages are ${languages.join(', ') || 'none'}`);
        // Security off: no user to store it for (the browser keeps the choice).
        if (!user || user.userId === null) return reply.code(204).send();
        if (!(await setUserLanguage?.(user.userId, language))) throw new HttpError(409, `the language ${language} is not in System.Language`);
        return reply.code(204).send();
      });

      app.get('/pages/:file', async (req, reply) => {
        const file = (req.params as { file: string }).file;
        const m = /^([\w]+\.[\w]+|_navigation)\.json$/.exec(file);
        if (!m) return reply.code(404).send({ error: `no page definition '${file}'` });
        const user = await resolveUser(ctx, req);
        if (!user) return reply.code(401).send({ error: 'not signed in' });
        const name = m[1]!;
        const languages = ctx.model.app.languages ?? [];
        const chosen = (req.query as { lang?: unknown }).lang;
        const stored = languages.length && user.userId !== null ? await userLanguage(user.userId) : null;
        const lang = resolveLanguage(languages, typeof chosen === 'string' ? chosen : undefined, stored, req.headers['accept-language']);
        const key = `${name}|${rolesKey(user)}|${lang ?? ''}`;
        if (name === '_navigation') {
          // The navigation names the user and their language: cached per user and language, not per role set.
          return sendJson(req, reply, `${key}|${user.userName ?? ''}|${stored ?? ''}|${user.timeZoneKnown ? user.timeZone : ''}`, () =>
            buildNavigation(ctx.model, user, stored, lang),
          );
        }
        const page = ctx.model.pages.get(name);
        if (!page) return reply.code(404).send({ error: `unknown page '${name}'` });
        if (!canOpenPage(ctx.model, user, name)) return reply.code(403).send({ error: `you may not open the page '${name}'` });
        return sendJson(req, reply, key, () => buildClientPage(ctx.model, registry(), page, user, conditions, lang ?? undefined, (a) => jsActions.urls.get(a)));
      });

      const index = (req: FastifyRequest, reply: FastifyReply) => {
        const f = files.get('/index.html');
        if (!f) return reply.code(503).type('text/plain; charset=utf-8').send('The browser client is not built. Run `npm run build` and restart.');
        return sendFile(req, reply, f);
      };
      app.get('/', index);
      app.get('/index.html', index);
      app.get('/*', (req, reply) => {
        const path = decodeURIComponent(req.url.split('?')[0]!);
        const f = files.get(path);
        if (f) return sendFile(req, reply, f);
        return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
      });
    },
  };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
