import type { FastifyServerOptions } from 'fastify';

const refuse = (what: string) => () => {
  throw new Error(`a route declares a ${what} schema: Kiln checks requests with TypeBox (src/http/validate.ts) and writes answers itself`);
};

/**
 * Fastify's `schemaController` for Kiln's servers, whose routes declare no schemas: requests are
 * checked with TypeBox's compiler (validate.ts) and answers are written with JSON.stringify.
 * Without it Fastify loads its default compilers (Ajv with its formats, and fast-json-stringify)
 * whenever a server is made, about 30 ms of every start for code that never runs. A route that
 * declares a schema fails when it is registered instead of going unchecked.
 */
export const noRouteSchemas: NonNullable<FastifyServerOptions['schemaController']> = {
  compilersFactory: {
    buildValidator: refuse('request'),
    buildSerializer: refuse('response'),
  },
};
