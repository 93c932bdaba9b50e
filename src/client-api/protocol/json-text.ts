/**
 * A response already written as JSON text (a retrieve's page, see
 * retrieve-writer.ts): sent as is, with the content type Fastify gives
 * serialised objects, instead of being serialised a second time.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
