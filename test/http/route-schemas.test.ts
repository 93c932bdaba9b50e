import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { noRouteSchemas } from '../../src/http/route-schemas.js';

/**
 * Kiln's Fastify servers run without Fastify's schema compilers (Ajv, fast-json-stringify),
 * which cost start-up time: routes without schemas answer as before, and a route that
 * declares one fails when the server gets ready instead of going unchecked.
 */
describe('servers without route schema compilers', () => {
  it('answer routes without schemas, and refuse a route that declares one when the server gets ready', async () => {
    const plain = Fastify({ schemaController: noRouteSchemas });
    plain.post('/echo', async (req) => ({ got: req.body }));
    await plain.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = plain.server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ got: { a: 1 } });
    } finally {
      await plain.close();
    }

    const withSchema = Fastify({ schemaController: noRouteSchemas });
    withSchema.post('/x', { schema: { body: { type: 'object' } } }, async () => 'ok');
    await expect(withSchema.ready()).rejects.toThrow('a route declares a request schema');
    const withAnswerSchema = Fastify({ schemaController: noRouteSchemas });
    withAnswerSchema.get('/y', { schema: { response: { 200: { type: 'string' } } } }, async () => 'ok');
    await expect(withAnswerSchema.ready()).rejects.toThrow('a route declares a response schema');
  });
});
