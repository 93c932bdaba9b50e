import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Seeding through the runtime's own client API, as a signed-in user would. */
export interface ApiSession {
  readonly url: string;
  readonly cookie: string;
  readonly csrf: string;
}

interface OperationsEntry {
  operationId: string;
  operationType: string;
  constants: Record<string, unknown>;
}

export async function apiLogin(url: string, username: string, password: string): Promise<ApiSession> {
  const res = await fetch(`${url}/xas/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ action: 'login', params: { username, password } }),
  });
  if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { csrftoken: string };
  const cookie = (res.headers.getSetCookie?.() ?? [res.headers.get('set-cookie') ?? '']).map((c) => c.split(';')[0]).join('; ');
  return { url, cookie, csrf: body.csrftoken };
}

async function xas(s: ApiSession, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(`${s.url}/xas/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: s.cookie, 'X-Csrf-Token': s.csrf },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${String(body.action)} failed: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** The registry the runtime wrote, `<deployment>/model/operations.json`. */
export function operations(deploymentDir: string): OperationsEntry[] {
  return JSON.parse(readFileSync(join(deploymentDir, 'model', 'operations.json'), 'utf8')) as OperationsEntry[];
}

/** Creates an object and commits it with these values, through a create and a commit operation. */
export async function createObject(s: ApiSession, ops: OperationsEntry[], entity: string, values: Record<string, unknown>): Promise<string> {
  const create = ops.find((o) => o.operationType === 'create' && o.constants.ObjectType === entity);
  const commit = ops.find((o) => o.operationType === 'commit');
  if (!create || !commit) throw new Error(`no create/commit operation for ${entity}`);
  const created = await xas(s, { action: 'runtimeOperation', operationId: create.operationId, params: {}, changes: {}, objects: [] });
  const obj = (created.objects as { guid: string }[])[0]!;
  const changes: Record<string, { value: unknown }> = {};
  for (const [k, v] of Object.entries(values)) changes[k] = { value: v };
  await xas(s, {
    action: 'runtimeOperation',
    operationId: commit.operationId,
    params: { Objects: { guids: [obj.guid] } },
    changes: { [obj.guid]: changes },
    objects: [obj],
  });
  return obj.guid;
}
