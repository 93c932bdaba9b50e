import { setReference, setValue, type MxObject } from '../../../objects/mx-object.js';
import { isMxObject, valueToString } from '../../expressions/runtime.js';
import { T } from '../../expressions/types.js';
import { NEXT } from '../compiled.js';
import type { StepExpr } from '../compiler.js';
import { prefetchAll } from '../compiler.js';
import { MicroflowError } from '../errors.js';
import { OutboundError, type OutboundProxy, type OutboundResponse } from '../ports.js';
import type { Run } from '../run.js';
import type { CMapping } from '../../../model/compiled/mappings.js';
import { assignable, typeToString } from '../../expressions/types.js';
import type { MicroflowCompiler, Path } from '../compiler.js';
import { exportJson } from '../../mappings/export-json.js';
import { importJson } from '../../mappings/import-json.js';
import { MappingError } from '../../mappings/json-values.js';
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
  if ((d.body !== undefined || d.exportMapping) && !WITH_BODY.has(method))
    c.error([...path, d.body !== undefined ? 'body' : 'exportMapping'], `a ${method} request has no body`);
  if ([d.body !== undefined, !!d.exportMapping, d.fileBody !== undefined].filter(Boolean).length > 1)
    c.error([...path, d.fileBody !== undefined ? 'fileBody' : 'exportMapping'], 'give one of body, exportMapping and fileBody');
  if (d.fileBody !== undefined && !WITH_BODY.has(method)) c.error([...path, 'fileBody'], `a ${method} request has no body`);
  let fileSlot: number | undefined;
  if (d.fileBody !== undefined) {
    const v = c.variable(d.fileBody, [...path, 'fileBody'], st.scope, ['Object']);
    if (v && v.type.kind === 'Object' && !c.model.entities.get(v.type.entity)?.chain.includes('System.FileDocument'))
      c.error([...path, 'fileBody'], `${d.fileBody} is a ${v.type.entity}, not a System.FileDocument`);
    else if (v) fileSlot = v.slot;
  }
  const fileEntity =
    typeof d.response === 'object' && 'fileDocument' in d.response ? c.entity(d.response.fileDocument, [...path, 'response', 'fileDocument']) : undefined;
  if (fileEntity && !fileEntity.chain.includes('System.FileDocument'))
    c.error([...path, 'response', 'fileDocument'], `${fileEntity.name} is not a System.FileDocument`);
  const body = d.body !== undefined ? c.expr(d.body, [...path, 'body'], st.scope, T.String, 'body') : undefined;
  let exporting: { mapping: CMapping; slot: number } | undefined;
  if (d.exportMapping) {
    const m = mappingOf(c, d.exportMapping.mapping, 'export', [...path, 'exportMapping', 'mapping']);
    const v = c.variable(d.exportMapping.value, [...path, 'exportMapping', 'value'], st.scope, ['Object', 'List']);
    if (m && v) {
      const want = m.list ? T.list(m.root.entity) : T.object(m.root.entity);
      if (!assignable(c.model, v.type, want))
        c.error([...path, 'exportMapping', 'value'], `${m.name} exports ${typeToString(want)}, not ${typeToString(v.type)}`);
      else exporting = { mapping: m, slot: v.slot };
    }
  }
  const kind = typeof d.response === 'object' ? ('fileDocument' in d.response ? 'file' : 'import') : (d.response ?? 'string');
  const importing =
    typeof d.response === 'object' && 'importMapping' in d.response
      ? mappingOf(c, d.response.importMapping, 'import', [...path, 'response', 'importMapping'])
      : undefined;
  if (d.into !== undefined && kind === 'ignore') c.error([...path, 'into'], "response 'ignore' stores nothing: leave out into");
  let slot: number | undefined;
  if (d.into !== undefined && kind !== 'ignore') {
    const t =
      kind === 'httpResponse'
        ? T.object('System.HttpResponse')
        : kind === 'file'
          ? fileEntity
            ? T.object(fileEntity.name)
            : T.Unknown
          : kind === 'import'
            ? importing
              ? importing.list
                ? T.list(importing.root.entity)
                : T.object(importing.root.entity)
              : T.Unknown
            : T.String;
    slot = c.declare(st.scope, d.into, t, [...path, 'into']);
    if (slot === undefined) return undefined;
  }
  const latest = c.latestHttpResponseTarget();
  const px = typeof d.proxy === 'object' ? d.proxy : undefined;
  const proxyExprs = px
    ? {
        host: c.expr(px.host, [...path, 'proxy', 'host'], st.scope, T.String, 'proxy host'),
        port: c.expr(px.port, [...path, 'proxy', 'port'], st.scope, T.Integer, 'proxy port'),
        user: px.user !== undefined ? c.expr(px.user, [...path, 'proxy', 'user'], st.scope, T.String, 'proxy user') : undefined,
        password: px.password !== undefined ? c.expr(px.password, [...path, 'proxy', 'password'], st.scope, T.String, 'proxy password') : undefined,
      }
    : undefined;
  const timeoutMs = (d.timeout ?? 300) * 1000;
  const exprs = [
    ...tpl.exprs,
    ...headers.map(([, e]) => e),
    ...(user ? [user] : []),
    ...(password ? [password] : []),
    ...(body ? [body] : []),
    ...Object.values(proxyExprs ?? {}).filter((e): e is StepExpr => e !== undefined),
  ];
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
          ...(exporting ? { body: (await exportJson(r.session, exporting.mapping, r.vars[exporting.slot] ?? null, undefined, r.stack)) ?? 'null' } : {}),
          ...(fileSlot !== undefined ? { body: await fileBytes(r, r.vars[fileSlot]) } : {}),
          timeoutMs,
          maxBytes: MAX_RESPONSE_BYTES,
          ...(d.proxy === 'none' ? { proxy: 'none' as const } : {}),
          ...(proxyExprs?.host && proxyExprs.port ? { proxy: proxyOf(r, proxyExprs) } : {}),
        });
      } catch (e) {
        r.vars[latest.slot] = null;
        throw new MicroflowError(e instanceof OutboundError ? e.message : `REST call failed: ${String(e)}`, r.stack, 'System.RestException');
      }
      const text = new TextDecoder().decode(res.body);
      const response = latest.read || kind === 'httpResponse' ? await httpResponseObject(r, res, text) : null;
      r.vars[latest.slot] = response;
      if (res.status < 200 || res.status > 299)
        throw new MicroflowError(`REST call failed: ${res.status} ${res.statusText}`.trim(), r.stack, 'System.RestException');
      if (kind === 'import' && importing) {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new MicroflowError(`call REST: the answer is not JSON, so ${importing.name} cannot import it`, r.stack, 'System.RestException');
        }
        try {
          const imported = await importJson(r.session, importing, json, { entityAccess: false, field: 'response', stack: r.stack });
          if (slot !== undefined) r.vars[slot] = imported.value;
        } catch (e) {
          if (e instanceof MappingError) throw new MicroflowError(`call REST: ${importing.name}: ${e.message}`, r.stack, 'System.MappingException');
          throw e;
        }
      } else if (kind === 'file' && fileEntity) {
        const file = await storeFile(r, fileEntity.name, res, parsed);
        if (slot !== undefined) r.vars[slot] = file;
      } else if (slot !== undefined) r.vars[slot] = kind === 'httpResponse' ? response : text;
      return NEXT;
    },
  };
};

/** A mapping of the model by (module-relative) name, of the kind the activity needs. */
function mappingOf(c: MicroflowCompiler, name: string, kind: 'import' | 'export', path: Path): CMapping | undefined {
  const q = name.includes('.') ? name : `${c.mf.module}.${name}`;
  const m = c.model.mappings?.get(q);
  if (!m) c.error(path, `unknown mapping '${name}' (modules/<Module>/mappings/<Name>.yaml)`);
  else if (m.kind !== kind) c.error(path, `${q} is an ${m.kind} mapping: an ${kind} mapping is needed here`);
  return m?.kind === kind ? m : undefined;
}

/** The activity's own proxy from its expressions. */
function proxyOf(r: Run, e: { host?: StepExpr; port?: StepExpr; user?: StepExpr | undefined; password?: StepExpr | undefined }): OutboundProxy {
  const port = Number(e.port!.evaluate(r));
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new MicroflowError(`call REST: proxy port ${port} is not a port`, r.stack, 'System.RestException');
  const user = e.user ? valueToString(e.user.evaluate(r)) : '';
  return {
    host: valueToString(e.host!.evaluate(r)),
    port,
    ...(user ? { user, password: e.password ? valueToString(e.password.evaluate(r)) : '' } : {}),
  };
}

/** The contents of a FileDocument, for a request body. */
async function fileBytes(r: Run, v: unknown): Promise<Uint8Array> {
  if (!isMxObject(v as never)) throw new MicroflowError('call REST: the file document for the body is empty', r.stack, 'System.RestException');
  const files = host(r).files();
  if (!files) throw new MicroflowError('call REST: file contents are not available (no files component)', r.stack, 'System.RestException');
  const s = await files.read(v as MxObject, r.session.sql());
  const parts: Buffer[] = [];
  if (s) for await (const c of s) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
  return Buffer.concat(parts);
}

/**
 * A new FileDocument of `entity` holding the answer's body: created, committed
 * (contents belong to a stored object) and given the contents in the
 * microflow's transaction, named from Content-Disposition or the URL's last segment.
 */
async function storeFile(r: Run, entity: string, res: OutboundResponse, url: URL): Promise<MxObject> {
  const files = host(r).files();
  if (!files) throw new MicroflowError('call REST: file contents are not available (no files component)', r.stack, 'System.RestException');
  const h = host(r);
  const o = await h.actions.create(r.session, entity, r.stack);
  await h.actions.commit(r.session, [o], { events: false }, r.stack);
  const disposition = res.headers.find(([k]) => k.toLowerCase() === 'content-disposition')?.[1] ?? '';
  const named = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
  const decode = (t: string) => {
    try {
      return decodeURIComponent(t);
    } catch {
      return t;
    }
  };
  const name = decode(named ?? (url.pathname.split('/').pop() || 'file')).slice(0, 400);
  const w = await files.write(o, res.body, name, r.session.sql());
  o.values.set('Size', BigInt(w.size));
  o.values.set('HasContents', true);
  o.values.set('Name', name);
  return o;
}

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
