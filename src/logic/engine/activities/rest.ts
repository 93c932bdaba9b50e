import { setReference, setValue, type MxObject } from '../../../objects/mx-object.js';
import { valueToString } from '../../expressions/runtime.js';
import { T } from '../../expressions/types.js';
import { NEXT } from '../compiled.js';
import type { StepExpr } from '../compiler.js';
import { prefetchAll } from '../compiler.js';
import { MicroflowError } from '../errors.js';
import { OutboundError, type OutboundResponse } from '../ports.js';
import type { Run } from '../run.js';
import { template } from './template.js';
import { host, type ActivityCompiler } from './types.js';

/** Largest response body a call reads (a bigger one is an error, not a full heap). */
const MAX_RESPONSE_BYTES = 50 * 1024 * 1024;
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'OPTIONS']);

/**
 * Call REST service: the location template filled in, headers and Basic
 * credentials from expressions, a String body, and the answer into a String
 * or a System.HttpResponse (status, reason, headers, content). The runtime's
 * HTTP client (HttpPort: undici, connections reused per origin, the limits,
 * proxy and timeouts of the settings) sends it. Every answer, success or
 * not, becomes `$latestHttpResponse`; a non-2xx answer, a timeout (default
 * 300 s) or a network failure is an error of the activity, handled by its
 * error handler (`$latestError/Message` names the status).
 */
export const callRest: ActivityCompiler<'callRest'> = (c, d, path, st) => {
  const method = d.method ?? 'GET';
  const tpl = template(c, d.location, d.params, path, st);
  if (!tpl) return undefined;
  const headers: [string, StepExpr][] = [];
  for (const [k, v] of Object.entries(d.headers ?? {})) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) c.error([...path, 'headers', k], `'${k}' is not a valid header name`);
    const e = c.expr(v, [...path, 'headers', k], st.scope, T.String, `header ${k}`);
    if (e) headers.push([k, e]);
  }
  const user = d.basicAuth ? c.expr(d.basicAuth.user, [...path, 'basicAuth', 'user'], st.scope, T.String, 'user name') : undefined;
  const password = d.basicAuth ? c.expr(d.basicAuth.password, [...path, 'basicAuth', 'password'], st.scope, T.String, 'password') : undefined;
  if (d.body !== undefined && !WITH_BODY.has(method)) c.error([...path, 'body'], `a ${method} request has no body`);
  const body = d.body !== undefined ? c.expr(d.body, [...path, 'body'], st.scope, T.String, 'body') : undefined;
  const kind = d.response ?? 'string';
  if (d.into !== undefined && kind === 'ignore') c.error([...path, 'into'], "response 'ignore' stores nothing: leave out into");
  let slot: number | undefined;
  if (d.into !== undefined && kind !== 'ignore') {
    slot = c.declare(st.scope, d.into, kind === 'httpResponse' ? T.object('System.HttpResponse') : T.String, [...path, 'into']);
    if (slot === undefined) return undefined;
  }
  const latest = c.builtin('latestHttpResponse')!.slot;
  const timeoutMs = (d.timeout ?? 300) * 1000;
  const exprs = [...tpl.exprs, ...headers.map(([, e]) => e), ...(user ? [user] : []), ...(password ? [password] : []), ...(body ? [body] : [])];
  return {
    sync: false,
    async exec(r) {
      await prefetchAll(r, exprs);
      const url = tpl.render(r);
      const h: Record<string, string> = {};
      for (const [k, e] of headers) h[k] = valueToString(e.evaluate(r), r.ctx.timeZone);
      if (user && password)
        h.Authorization = `Basic ${Buffer.from(`${valueToString(user.evaluate(r))}:${valueToString(password.evaluate(r))}`).toString('base64')}`;
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new MicroflowError(`call REST: '${url.slice(0, 200)}' is not a URL`, r.stack, 'System.RestException');
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
        throw new MicroflowError(`call REST: only http and https URLs can be called (${parsed.protocol})`, r.stack, 'System.RestException');
      let res: OutboundResponse;
      try {
        res = await host(r).http.request({
          url: parsed,
          method,
          headers: h,
          ...(body ? { body: valueToString(body.evaluate(r)) } : {}),
          timeoutMs,
          maxBytes: MAX_RESPONSE_BYTES,
        });
      } catch (e) {
        r.vars[latest] = null;
        throw new MicroflowError(e instanceof OutboundError ? e.message : `REST call failed: ${String(e)}`, r.stack, 'System.RestException');
      }
      const text = new TextDecoder().decode(res.body);
      const response = await httpResponseObject(r, res, text);
      r.vars[latest] = response;
      if (res.status < 200 || res.status > 299)
        throw new MicroflowError(`REST call failed: ${res.status} ${res.statusText}`.trim(), r.stack, 'System.RestException');
      if (slot !== undefined) r.vars[slot] = kind === 'httpResponse' ? response : text;
      return NEXT;
    },
  };
};

/** The answer as a System.HttpResponse with its System.HttpHeader objects, held by the request's session. */
async function httpResponseObject(r: Run, res: OutboundResponse, content: string): Promise<MxObject> {
  const session = r.session;
  const now = new Date();
  const o = session.track(await session.host.data.createObject('System.HttpResponse', { now }));
  setValue(o, 'StatusCode', res.status);
  setValue(o, 'ReasonPhrase', res.statusText);
  setValue(o, 'HttpVersion', res.httpVersion);
  setValue(o, 'Content', content);
  for (const [k, v] of res.headers) {
    const hd = session.track(await session.host.data.createObject('System.HttpHeader', { now }));
    setValue(hd, 'Key', k);
    setValue(hd, 'Value', v);
    setReference(hd, 'System.HttpHeaders', o.id);
  }
  return o;
}
