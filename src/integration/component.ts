import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RuntimeComponent } from '../core/runtime-context.js';
import type { CRestService } from '../model/compiled/rest-services.js';
import { CLIENT_CSP } from '../web-client/static-files.js';
import { DOC_CSS, DOC_JS, escapeHtml, htmlPage } from './doc-assets.js';
import { openApiDocument } from './openapi.js';
import { RestServiceHandler } from './rest-handler.js';
import { odataDocPage } from './odata/doc-page.js';
import { odataErrorBody } from './odata/errors.js';
import { ODataServiceHandler } from './odata/service-handler.js';
import { LOG_NODES } from '../core/log-node-names.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * The integration component: serves the app's published REST services under
 * their locations (`/rest/<service>/v1/...`), their OpenAPI 3.0 documents at
 * `/rest-doc/<location>/openapi.json` with a documentation page at
 * `/rest-doc/<location>/`, the index of REST services at `/rest-doc/`, the
 * published OData v4 services under theirs (`/odata/<service>/v1/`, see
 * odata/service-handler.ts) with `/odata-doc/`, and the index of every
 * published API at `/api-doc/`. Uses the services 'db', 'ids',
 * 'microflows', and 'sessions', 'security', 'logic' when present.
 */
export function integrationComponent(): RuntimeComponent {
  const handlers: RestServiceHandler[] = [];
  const odata: ODataServiceHandler[] = [];
  return {
    name: 'integration',
    async start(ctx) {
      const services = [...(ctx.model.restServices?.values() ?? [])];
      const odataServices = [...(ctx.model.odataServices?.values() ?? [])];
      if (services.length === 0 && odataServices.length === 0) return;
      const deps = {
        model: ctx.model,
        db: ctx.services.require('db'),
        ids: ctx.services.require('ids'),
        engine: ctx.services.require('microflows'),
        sessions: ctx.services.get('sessions'),
        security: ctx.services.get('security'),
        logic: ctx.services.get('logic'),
      };
      for (const s of services) handlers.push(new RestServiceHandler(s, deps));
      for (const s of odataServices) odata.push(new ODataServiceHandler(s, deps));
      ctx.log.child({ node: LOG_NODES.restPublish }).debug({ services: services.map((s) => s.location) }, 'published REST services');
    },
    async routes(app, ctx) {
      const services = handlers.map((h) => h.service);
      for (const h of handlers) await app.register(async (scope) => serviceRoutes(scope, h));
      for (const h of odata) await app.register(async (scope) => odataRoutes(scope, h));
      const docs = new Map(services.map((s) => [s.location, JSON.stringify(openApiDocument(ctx.model, s), null, 2)]));
      const html = (reply: FastifyReply, text: string) =>
        reply.header('Content-Security-Policy', CLIENT_CSP).header('Cache-Control', 'no-cache').type('text/html; charset=utf-8').send(text);
      const index = (title: string) =>
        htmlPage(
          title,
          `<h1>${escapeHtml(title)}</h1>${
            services.length
              ? `<h2>Published REST services</h2><ul>${services
                  .map(
                    (s) =>
                      `<li><a href="/rest-doc/${escapeHtml(s.location)}/">${escapeHtml(s.name)}</a> <code>/${escapeHtml(s.location)}</code> - <a href="/rest-doc/${escapeHtml(s.location)}/openapi.json">openapi.json</a></li>`,
                  )
                  .join('')}</ul>`
              : ''
          }${
            odata.length
              ? `<h2>Published OData services</h2><ul>${odata
                  .map(
                    ({ service: s }) =>
                      `<li><a href="/odata-doc/${escapeHtml(s.location)}/">${escapeHtml(s.name)}</a> <code>/${escapeHtml(s.location)}/</code> - <a href="/${escapeHtml(s.location)}/$metadata">$metadata</a></li>`,
                  )
                  .join('')}</ul>`
              : ''
          }${services.length || odata.length ? '' : '<p>This app publishes no APIs.</p>'}`,
        );
      app.get('/api-doc/', (_req, reply) => html(reply, index(`${ctx.model.app.name}: published APIs`)));
      app.get('/rest-doc/', (_req, reply) => html(reply, index(`${ctx.model.app.name}: published REST services`)));
      app.get('/odata-doc/', (_req, reply) => html(reply, index(`${ctx.model.app.name}: published OData services`)));
      for (const h of odata) {
        const loc = h.service.location;
        const page = odataDocPage(ctx.model, h.service);
        app.get(`/odata-doc/${loc}/`, (_req, reply) => html(reply, page));
        app.get(`/odata-doc/${loc}`, (_req, reply) => reply.redirect(`/odata-doc/${loc}/`));
      }
      app.get('/rest-doc/doc.css', (_req, reply) => reply.type('text/css; charset=utf-8').header('Cache-Control', 'no-cache').send(DOC_CSS));
      app.get('/rest-doc/doc.js', (_req, reply) => reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'no-cache').send(DOC_JS));
      for (const s of services) {
        app.get(`/rest-doc/${s.location}/openapi.json`, (_req, reply) => reply.type('application/json; charset=utf-8').send(docs.get(s.location)));
        app.get(`/rest-doc/${s.location}/`, (_req, reply) => html(reply, htmlPage(`${s.name} API`, '', '/rest-doc/doc.js')));
        app.get(`/rest-doc/${s.location}`, (_req, reply) => reply.redirect(`/rest-doc/${s.location}/`));
      }
    },
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** One service's routes, in their own scope: bodies arrive as bytes (any content type, the server's BodyLimit) and the handler parses them. */
async function serviceRoutes(scope: FastifyInstance, h: RestServiceHandler): Promise<void> {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  // The location's path parameters ({Tenant}) are route parameters; their values are taken from the URL's segments.
  const located = h.service.location.split('/');
  const base = `/${located.map((seg, i) => (seg.startsWith('{') ? `:p${i}` : seg)).join('/')}`;
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const preflight = cors(h.service, request, reply);
    if (request.method === 'OPTIONS') return reply.code(204).header('Allow', 'GET, POST, PUT, PATCH, DELETE, OPTIONS').send();
    if (preflight === 'refused') return reply.code(403).send({ error: 'origin not allowed' });
    const url = request.url;
    const q = url.indexOf('?');
    const segments = (q >= 0 ? url.slice(0, q) : url).split('/').slice(1);
    const values = new Map<string, string>();
    located.forEach((seg, i) => {
      if (seg.startsWith('{')) values.set(seg.slice(1, -1), segments[i] ?? '');
    });
    await h.handle(request, reply, segments.slice(located.length).join('/'), values);
    return reply;
  };
  scope.route({ method: [...METHODS], url: base, handler: handle });
  scope.route({ method: [...METHODS], url: `${base}/*`, handler: handle });
}

/**
 * CORS per service: headers for an allowed Origin; a request from another origin is refused (403) unless it is a preflight.
 * A service without CORS settings is same-origin only for requests that change something: a page on another site
 * could otherwise post a form (text/plain, no preflight) that the browser sends with its cached Basic credentials.
 */
function cors(svc: { readonly cors?: CRestService['cors'] }, request: FastifyRequest, reply: FastifyReply): 'ok' | 'refused' {
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return 'ok';
  if (!svc.cors) return SAFE_METHODS.has(request.method) || origin === `${request.protocol}://${request.host}` ? 'ok' : 'refused';
  const any = svc.cors.allowedOrigins.includes('*');
  if (!any && !svc.cors.allowedOrigins.includes(origin)) return 'refused';
  reply.header('Access-Control-Allow-Origin', any ? '*' : origin);
  if (!any) reply.header('Vary', 'Origin');
  if (svc.cors.allowCredentials && !any) reply.header('Access-Control-Allow-Credentials', 'true');
  if (request.method === 'OPTIONS') {
    reply.header('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
    reply.header('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Csrf-Token');
    if (svc.cors.maxAge !== undefined) reply.header('Access-Control-Max-Age', String(svc.cors.maxAge));
  }
  return 'ok';
}

/** One OData service's routes, in their own scope: bodies arrive as text (JSON entities, the text/plain of $query) and the handler parses them. */
async function odataRoutes(scope: FastifyInstance, h: ODataServiceHandler): Promise<void> {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const preflight = cors(h.service, request, reply);
    if (request.method === 'OPTIONS') return reply.code(204).header('Allow', 'GET, POST, PATCH, DELETE, OPTIONS').send();
    if (preflight === 'refused') return reply.code(403).type('application/json; charset=utf-8').send(odataErrorBody(403, 'origin not allowed'));
    const url = request.url;
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    await h.handle(request, reply, path.slice(h.base.length + 1), q >= 0 ? url.slice(q + 1) : '');
    return reply;
  };
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
  scope.route({ method: [...methods], url: h.base, handler: handle });
  scope.route({ method: [...methods], url: `${h.base}/*`, handler: handle });
}
