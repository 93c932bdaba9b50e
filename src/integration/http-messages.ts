import type { FastifyReply, FastifyRequest } from 'fastify';
import { createObject, type IdGenerator } from '../data/index.js';
import type { CompiledModel } from '../model/compiled/types.js';
import { setReference, setValue, type MxObject } from '../objects/mx-object.js';

/** The association from System.HttpHeader to its message (HttpRequest or HttpResponse). */
const HEADERS = 'System.HttpHeaders';
/** Headers a microflow may not set: the server frames the answer itself. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The request as a System.HttpRequest object (Uri, HttpVersion, Content = the
 * body text) with one System.HttpHeader per header; every object made is
 * returned so that the microflow's session holds them (retrieving
 * `$HttpRequest/System.HttpHeaders` finds them in memory).
 */
export async function httpRequestObjects(model: CompiledModel, ids: IdGenerator, request: FastifyRequest): Promise<{ message: MxObject; all: MxObject[] }> {
  const message = await createObject(model, 'System.HttpRequest', ids);
  setValue(message, 'Uri', request.url);
  setValue(message, 'HttpVersion', `HTTP/${request.raw.httpVersion}`);
  setValue(message, 'Content', typeof request.body === 'string' ? request.body : '');
  const all = [message];
  const raw = request.raw.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const h = await createObject(model, 'System.HttpHeader', ids);
    setValue(h, 'Key', raw[i]!);
    setValue(h, 'Value', raw[i + 1]!);
    setReference(h, HEADERS, message.id);
    all.push(h);
  }
  return { message, all };
}

/** An empty System.HttpResponse (StatusCode 0 = not set) for a microflow to fill. */
export async function newHttpResponse(model: CompiledModel, ids: IdGenerator): Promise<MxObject> {
  return createObject(model, 'System.HttpResponse', ids);
}

/** The headers among `objects` that belong to `message`, as [name, value] pairs. */
export function headersOf(objects: Iterable<MxObject>, message: MxObject): [string, string][] {
  const out: [string, string][] = [];
  for (const o of objects) {
    if (o.entity !== 'System.HttpHeader' || o.references.get(HEADERS) !== message.id) continue;
    const k = o.values.get('Key');
    const v = o.values.get('Value');
    if (typeof k === 'string') out.push([k, typeof v === 'string' ? v : '']);
  }
  return out;
}

/** The status code a microflow set on an HttpResponse; undefined when it set none (or one that is not a status). */
export function statusOf(response: MxObject): number | undefined {
  const s = response.values.get('StatusCode');
  return typeof s === 'number' && Number.isInteger(s) && s >= 100 && s <= 599 ? s : undefined;
}

/**
 * Puts the headers a microflow set on the reply. Names that are not HTTP
 * tokens and values with line breaks are left out (they would split the
 * answer), and so are the framing headers the server sets itself.
 */
export function applyHeaders(reply: FastifyReply, headers: readonly [string, string][]): void {
  for (const [k, v] of headers) {
    if (!TOKEN.test(k) || FRAMING.has(k.toLowerCase()) || /[\r\n\0]/.test(v)) continue;
    reply.header(k, v);
  }
}
