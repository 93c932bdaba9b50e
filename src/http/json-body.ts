import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * True when the request's JSON body had no backslash: then none of its strings or keys holds
     * an escape, so none holds a NUL (JSON text cannot carry U+0000 unescaped: JSON.parse refuses
     * it), and the /xas/ dispatcher need not walk the parsed body for one (validate.ts). False for
     * every other body.
     */
    kilnJsonPlain: boolean;
  }
}

/**
 * The `application/json` body parser: Fastify's own, unchanged (secure-json-parse: a key
 * `__proto__` or `constructor` is refused 400, an empty or invalid body too), which also notes
 * whether the text had a backslash (one scan of the text, cheaper than walking every string
 * and key of the parsed body for a NUL).
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.decorateRequest('kilnJsonPlain', false);
  const fastifyParser = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request: FastifyRequest, body: string, done) => {
    request.kilnJsonPlain = !body.includes('\\');
    return fastifyParser(request, body, done);
  });
}
