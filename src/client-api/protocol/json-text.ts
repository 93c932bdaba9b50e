/**
 * A response already written as JSON text (a retrieve's page, see
 * retrieve-writer.ts): sent as is, with the content type Fastify gives
 * serialised objects, instead of being serialised a second time.
 */
export class JsonText {
  constructor(
    readonly text: string,
    /** Set by a writer that knows every character of `text` is ASCII. */
    private readonly ascii = false,
  ) {}

  /**
   * What to send: ASCII text as its bytes (one per character, the same bytes as its UTF-8),
   * which the server neither measures nor encodes again on the way out (Fastify's content
   * length, the socket's write); any other text as the string.
   */
  body(): string | Buffer {
    return this.ascii ? Buffer.from(this.text, 'latin1') : this.text;
  }
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
