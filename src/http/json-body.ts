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
 * The `application/json` body parser: Fastify's own (secure-json-parse: a key `__proto__` or
 * `constructor` is refused 400, an empty or invalid body too), which also notes whether the text
 * had a backslash (one scan of the text, cheaper than walking every string and key of the parsed
 * body for a NUL).
 *
 * A body without a backslash and without the texts `"__proto__"` and `"constructor"` is parsed by
 * JSON.parse directly: secure-json-parse's two regular expressions look for those keys, possibly
 * spelled with `\u` escapes, and without a backslash they can only match those very texts, so it
 * would return JSON.parse's value unchanged (after two scans of the text by the expressions,
 * each dearer than a search for a plain text). Every other body, an empty one, one starting with
 * a byte-order mark, and one JSON.parse refuses go through Fastify's parser as before.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.decorateRequest('kilnJsonPlain', false);
  const fastifyParser = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request: FastifyRequest, body: string, done) => {
    const plain = !body.includes('\\');
    request.kilnJsonPlain = plain;
    if (plain && body.length > 0 && body.charCodeAt(0) !== 0xfeff && !body.includes('"__proto__"') && !body.includes('"constructor"')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return fastifyParser(request, body, done);
      }
      return done(null, parsed);
    }
    return fastifyParser(request, body, done);
  });
}
