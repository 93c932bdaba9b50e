/**
 * Errors of the query engine. Both carry the character offset inside the XPath
 * text so that callers (kiln check, explain, the client API) can point at it.
 */
export class XPathSyntaxError extends Error {
  constructor(
    readonly detail: string,
    /** 0-based offset in the XPath text. */
    readonly position: number,
    readonly xpath: string,
    readonly expected: readonly string[] = [],
  ) {
    super(`XPath syntax error at column ${position + 1}: ${detail}`);
    this.name = 'XPathSyntaxError';
  }
}

/** The XPath parses but does not fit the model (unknown attribute, wrong type, ...). */
export class XPathResolveError extends Error {
  constructor(
    readonly detail: string,
    readonly position: number,
    readonly xpath: string,
  ) {
    super(`XPath error at column ${position + 1}: ${detail}`);
    this.name = 'XPathResolveError';
  }
}

/** A request or execution-time problem (bad paging, missing variable, unknown sort attribute). */
export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryError';
  }
}
