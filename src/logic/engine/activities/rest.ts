import { valueToString } from '../../expressions/runtime.js';
import { T } from '../../expressions/types.js';
import { NEXT } from '../compiled.js';
import type { StepExpr } from '../compiler.js';
import { prefetchAll } from '../compiler.js';
import { MicroflowError } from '../errors.js';
import { template } from './template.js';
import type { ActivityCompiler } from './types.js';

/** Largest response body a call reads (a bigger one is an error, not a full heap). */
const MAX_RESPONSE_BYTES = 50 * 1024 * 1024;
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'OPTIONS']);

/**
 * Call REST service: the location template filled in, headers and Basic
 * credentials from expressions, a String body, and the response body into a
 * String variable. Node's HTTP client (undici, behind fetch) keeps
 * connections alive and reuses them per origin. A non-2xx answer, a timeout
 * (default 300 s) or a network failure is an error of the activity, handled
 * by its error handler (`$latestError/Message` names the status).
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
  let slot: number | undefined;
  if (d.into !== undefined) {
    slot = c.declare(st.scope, d.into, T.String, [...path, 'into']);
    if (slot === undefined) return undefined;
  }
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
      let text: string;
      try {
        const res = await fetch(parsed, {
          method,
          headers: h,
          ...(body ? { body: valueToString(body.evaluate(r)) } : {}),
          ...(timeoutMs > 0 ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
          redirect: 'follow',
        });
        const length = Number(res.headers.get('content-length') ?? 0);
        if (length > MAX_RESPONSE_BYTES) {
          await res.body?.cancel();
          throw new MicroflowError(`call REST: the response is larger than ${MAX_RESPONSE_BYTES} bytes`, r.stack, 'System.RestException');
        }
        const bytes = new Uint8Array(await res.arrayBuffer());
        if (bytes.length > MAX_RESPONSE_BYTES)
          throw new MicroflowError(`call REST: the response is larger than ${MAX_RESPONSE_BYTES} bytes`, r.stack, 'System.RestException');
        text = new TextDecoder().decode(bytes);
        if (res.status < 200 || res.status > 299)
          throw new MicroflowError(`REST call failed: ${res.status} ${res.statusText}`.trim(), r.stack, 'System.RestException');
      } catch (e) {
        if (e instanceof MicroflowError) throw e;
        const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
        throw new MicroflowError(
          timedOut
            ? `REST call timed out after ${timeoutMs / 1000} s`
            : `REST call failed: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`,
          r.stack,
          'System.RestException',
        );
      }
      if (slot !== undefined) r.vars[slot] = text;
      return NEXT;
    },
  };
};
