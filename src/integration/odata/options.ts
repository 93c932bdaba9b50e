import { ODataError } from './errors.js';
import { ODataSyntaxError, parseCount, parseExpand, parseFilter, parseOrderBy, parseSelect, type QueryOptions } from './query-syntax.js';

/** The options of a request, parsed: the query options and `$format`. */
export interface RequestOptions extends QueryOptions {
  readonly format?: string;
}

const NOT_IMPLEMENTED = new Set(['$search', '$apply', '$compute', '$levels', '$index', '$schemaversion']);

/**
 * Splits a raw query string (`$filter=...&$top=5`, or the text/plain body of
 * `POST .../$query`) into OData's system query options and parses each; `+`
 * is a space, as form encoding writes it. Unknown `$` options are a
 * 400, options OData defines but Kiln does not serve a 501; custom options
 * (without `$`) are ignored, as the spec allows.
 */
export function parseOptions(raw: string): RequestOptions {
  const seen = new Map<string, string>();
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    let name: string;
    let value: string;
    try {
      // Form-style encoding (URLSearchParams, many clients) writes a space as '+'; a plus sign arrives as %2B.
      name = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' ')).trim();
      value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      throw new ODataError(400, 'the query string is not valid percent-encoding');
    }
    if (!name.startsWith('$')) continue;
    if (NOT_IMPLEMENTED.has(name)) throw new ODataError(501, `the query option ${name} is not supported`);
    if (seen.has(name)) throw new ODataError(400, `the query option ${name} is given twice`);
    seen.set(name, value);
  }
  const out: { -readonly [K in keyof RequestOptions]: RequestOptions[K] } = {};
  try {
    for (const [name, value] of seen) {
      switch (name) {
        case '$filter':
          out.filter = parseFilter(value);
          break;
        case '$orderby':
          out.orderby = parseOrderBy(value);
          break;
        case '$select':
          out.select = parseSelect(value);
          break;
        case '$expand':
          out.expand = parseExpand(value);
          break;
        case '$top':
          out.top = parseCount('$top', value);
          break;
        case '$skip':
          out.skip = parseCount('$skip', value);
          break;
        case '$count':
          if (value !== 'true' && value !== 'false') throw new ODataError(400, '$count must be true or false');
          out.count = value === 'true';
          break;
        case '$format':
          out.format = value;
          break;
        case '$skiptoken':
          throw new ODataError(400, '$skiptoken is not used by this service: follow @odata.nextLink as given');
        default:
          throw new ODataError(400, `unknown query option ${name}`);
      }
    }
  } catch (e) {
    if (e instanceof ODataSyntaxError) throw new ODataError(400, e.message);
    throw e;
  }
  return out;
}
