import { Decimal } from 'decimal.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CODataAction, CODataService } from '../../model/compiled/odata-services.js';
import type { MxObject } from '../../objects/mx-object.js';
import type { SqlPort } from '../../logic/engine/ports.js';
import { isMxObject, type Value } from '../../logic/expressions/runtime.js';
import { entityAccess } from '../../security/entity-access.js';
import type { UserContext } from '../../security/user-context.js';
import { valueFromText } from '../json-values.js';
import { withFeedback } from '../rest-handler.js';
import { entityParts, type WriteOptions } from './entity-json.js';
import { ODataError } from './errors.js';
import type { SetReader } from './reader.js';
import type { ODataDeps } from './service-handler.js';

const JSON_TYPE = 'application/json; odata.metadata=minimal; charset=utf-8';
const ID_CHUNK = 50;

/**
 * Runs a microflow exposed as an OData action: `POST <location>/<Action>` with
 * the parameters as a JSON object (primitives and enumerations, converted to
 * their types: 400 naming a bad one), in one transaction as the caller (a
 * validation failure or refusing event handler is a 422); the result as
 * `{"value": ...}` - objects of a published set with the members the caller may
 * read on each, objects it may not read left out - or 204 for nothing.
 */
export async function runAction(
  deps: ODataDeps,
  service: CODataService,
  reader: SetReader,
  action: CODataAction,
  request: FastifyRequest,
  reply: FastifyReply,
  user: UserContext,
  write: WriteOptions,
): Promise<void> {
  const text = typeof request.body === 'string' ? request.body.trim() : '';
  // Always JSON, even without parameters: a form on another site cannot send it, so it cannot run an action with the browser's Basic credentials.
  if (!/^application\/json\b/i.test(String(request.headers['content-type'] ?? ''))) throw new ODataError(415, 'send the action parameters as application/json');
  let body: unknown = {};
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      throw new ODataError(400, 'the body is not valid JSON');
    }
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ODataError(400, 'the body must be a JSON object of the action parameters');
  const given = body as Record<string, unknown>;
  for (const k of Object.keys(given)) if (!action.parameters.some((p) => p.name === k)) throw new ODataError(400, `${action.name} has no parameter '${k}'`, k);
  const params: Record<string, Value> = {};
  for (const p of action.parameters) {
    const j = Object.hasOwn(given, p.name) ? given[p.name] : null;
    if (j === null || j === undefined) params[p.name] = null;
    else if (typeof j === 'string' || typeof j === 'number' || typeof j === 'boolean') params[p.name] = valueFromText(deps.model, p.type, String(j), p.name);
    else throw new ODataError(400, `${p.name} must be a JSON value, not an object or array`, p.name);
  }
  const { db, engine } = deps;
  const parts = await db.transaction(async (tx) => {
    const r = await withFeedback(() => engine.runMicroflow(action.microflow, params, user, tx as unknown as SqlPort));
    return answer(deps, service, reader, action, r.value, user, write, tx);
  });
  if (parts === undefined) return void reply.code(204).send();
  reply.type(JSON_TYPE).send(parts);
}

async function answer(
  deps: ODataDeps,
  service: CODataService,
  reader: SetReader,
  action: CODataAction,
  value: Value,
  user: UserContext,
  write: WriteOptions,
  tx: Parameters<SetReader['page']>[0],
): Promise<string | undefined> {
  const rt = action.returns;
  const base = `/${service.location}/$metadata`;
  if (!rt) return undefined;
  if (rt.kind === 'object' || rt.kind === 'list') {
    const set = reader.setNamed(action.returnSet!)!;
    const objects = rt.kind === 'object' ? (isMxObject(value) ? [value] : []) : Array.isArray(value) ? (value as MxObject[]).filter(isMxObject) : [];
    const byId = new Map<bigint, string>();
    // Persisted objects are read again as the caller sees them (rows and members); new ones carry the rights of a new object.
    const persisted = objects.filter((o) => o.state !== 'new').map((o) => o.id);
    for (let i = 0; i < persisted.length; i += ID_CHUNK) {
      const part = persisted.slice(i, i + ID_CHUNK);
      const variables: Record<string, unknown> = {};
      part.forEach((id, j) => {
        variables[`k${j}`] = id;
      });
      const xpath = `[${part.map((_, j) => `id = $k${j}`).join(' or ')}]`;
      const r = await reader.page(tx, set, user, {}, { extra: { xpath, variables } }, write);
      for (const item of r.items) byId.set(item.obj.id, `{${item.parts.join(',')}}`);
    }
    const selected = reader.selected(set, user, undefined);
    const texts: string[] = [];
    for (const o of objects) {
      if (o.state === 'new') {
        const access = entityAccess(deps.model, user, o.entity);
        if (access.restricted && access.rules.length === 0) continue;
        const rights = access.restricted ? access.rightsFor(access.rules.map(() => true)) : 'all';
        texts.push(`{${entityParts(deps.model, set, o, rights, selected, write).join(',')}}`);
      } else {
        const t = byId.get(o.id);
        if (t) texts.push(t);
      }
    }
    if (rt.kind === 'object') return `{"@odata.context":${JSON.stringify(`${base}#${set.name}/$entity`)},"value":${texts[0] ?? 'null'}}`;
    return `{"@odata.context":${JSON.stringify(`${base}#Collection(${service.namespace}.${set.typeName})`)},"value":[${texts.join(',')}]}`;
  }
  return `{"@odata.context":${JSON.stringify(`${base}#Edm.${rt.kind === 'primitive' ? rt.type : 'String'}`)},"value":${primitiveJson(value, write)}}`;
}

function primitiveJson(v: Value, write: WriteOptions): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (typeof v === 'bigint') return write.ieee754 ? `"${v}"` : v.toString();
  if (Decimal.isDecimal(v)) return write.ieee754 ? `"${(v as Decimal).toFixed()}"` : (v as Decimal).toFixed();
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  return 'null';
}
