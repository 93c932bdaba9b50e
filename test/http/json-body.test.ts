import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleError } from '../../src/http/errors.js';
import { installJsonBodyParser } from '../../src/http/json-body.js';
import { XasDispatcher } from '../../src/http/xas.js';

/**
 * Kiln's JSON body parser is Fastify's own (secure-json-parse) plus a note whether the text had
 * a backslash, which lets the /xas/ dispatcher skip its walk for NUL characters: every body
 * is answered exactly as by Fastify's default parser, prototype poisoning included, and a NUL
 * (which JSON can carry only escaped) is still refused naming its field.
 */
describe('the JSON body parser', () => {
  let kiln: FastifyInstance;
  let fastify: FastifyInstance;
  beforeAll(async () => {
    kiln = Fastify();
    installJsonBodyParser(kiln);
    kiln.setErrorHandler(handleError);
    kiln.post('/echo', async (req) => ({ body: req.body, plain: req.kilnJsonPlain }));
    const xas = new XasDispatcher();
    xas.register('echo', { requiresCsrf: false, handler: async (body) => ({ got: body }) });
    xas.mount(kiln);
    fastify = Fastify();
    fastify.setErrorHandler(handleError);
    fastify.post('/echo', async (req) => ({ body: req.body }));
    await Promise.all([kiln.ready(), fastify.ready()]);
  });
  afterAll(async () => {
    await Promise.all([kiln.close(), fastify.close()]);
  });

  const post = (app: FastifyInstance, url: string, payload: string) =>
    app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });

  const bodies: [string, string][] = [
    ['an object', '{"a":1,"b":[true,null,"x"]}'],
    ['a string', '"text"'],
    ['a number', '42'],
    ['an escaped backslash', '{"a":"c:\\\\dir"}'],
    ['the text of an escaped NUL', '{"a":"\\\\u0000"}'],
    ['a NUL escape', '{"a":"x\\u0000y"}'],
    ['a byte-order mark', '\ufeff{"a":1}'],
    ['__proto__ as a key', '{"a":1,"__proto__":{"admin":true}}'],
    ['__proto__ as a nested key', '{"a":{"__proto__":{"admin":true}}}'],
    ['__proto__ escaped', '{"\\u005f_proto__":{"admin":true}}'],
    ['__proto__ with spaces before its colon', '{"__proto__" :{"admin":true}}'],
    ['constructor.prototype', '{"constructor":{"prototype":{"admin":true}}}'],
    ['constructor escaped', '{"\\u0063onstructor":{"prototype":{"admin":true}}}'],
    ['constructor without prototype', '{"constructor":{"name":"x"}}'],
    ['__proto__ and constructor as values', '{"a":"__proto__","b":"constructor"}'],
    ['an empty body', ''],
    ['invalid JSON', '{"a":'],
    ['a raw NUL', '{"a":"x\u0000y"}'],
    ['a raw control character', '{"a":"x\u0001y"}'],
  ];

  it.each(bodies)('answers %s as Fastify does', async (_what, payload) => {
    const [ours, theirs] = await Promise.all([post(kiln, '/echo', payload), post(fastify, '/echo', payload)]);
    expect(ours.statusCode).toBe(theirs.statusCode);
    if (theirs.statusCode === 200) expect(ours.json().body).toEqual(theirs.json().body);
    else expect(ours.json()).toEqual(theirs.json());
  });

  it('refuses prototype poisoning with 400', async () => {
    for (const payload of ['{"__proto__":{"admin":true}}', '{"\\u005f\\u005fproto\\u005f\\u005f":{}}', '{"constructor":{"prototype":{}}}']) {
      expect((await post(kiln, '/echo', payload)).statusCode).toBe(400);
    }
  });

  it('notes a body without a backslash as plain, any other as not', async () => {
    expect((await post(kiln, '/echo', '{"a":"x"}')).json().plain).toBe(true);
    expect((await post(kiln, '/echo', '{"a":"x\\ny"}')).json().plain).toBe(false);
    expect((await post(kiln, '/echo', '{"a":"x\\u0000"}')).json().plain).toBe(false);
  });

  it('still refuses a NUL in any string or key of a /xas/ body, naming the field', async () => {
    const refused = async (payload: string, field: string) => {
      const r = await post(kiln, '/xas/', payload);
      expect(r.statusCode).toBe(400);
      expect(r.json().error).toMatch(/must not contain NUL/);
      expect(r.json().field).toBe(field);
    };
    await refused('{"action":"echo","params":{"name":"a\\u0000"}}', 'params.name');
    await refused('{"action":"echo","list":["ok","b\\u0000"]}', 'list.1');
    await refused('{"action":"echo","changes":{"k\\u0000":{"value":1}}}', 'changes');
    // Escaped backslashes before `u0000` are no NUL.
    const ok = await post(kiln, '/xas/', '{"action":"echo","params":{"name":"a\\\\u0000"}}');
    expect(ok.statusCode).toBe(200);
    expect(ok.json().got.params.name).toBe('a\\u0000');
    // Without any backslash: no walk, and nothing to refuse.
    expect((await post(kiln, '/xas/', '{"action":"echo","params":{"name":"plain"}}')).statusCode).toBe(200);
  });
});
