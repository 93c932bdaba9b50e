import type { Guid, RetrieveOptions, RuntimeOperationRequest, XasResponse } from './types';
import { XasError, type XasClient } from './xas';
import type { ObjectStore } from '../store/object-store';

/**
 * Runtime operations as the widgets use them: each call sends the operation id
 * the page definition gave, the parameters, and the client-held state of the
 * objects involved; each response goes into the object store.
 */
export class Operations {
  constructor(
    readonly xas: XasClient,
    readonly store: ObjectStore,
  ) {}

  /** `writes`: the operation changes data (commit, delete, microflow), so it is sent with an Idempotency-Key and retried safely. */
  private async run(
    operationId: string,
    params: Record<string, unknown>,
    involved: Iterable<Guid>,
    extra: Partial<RuntimeOperationRequest> = {},
    writes = false,
  ): Promise<XasResponse> {
    const { objects, changes } = this.store.stateOf(involved);
    const body: RuntimeOperationRequest = { action: 'runtimeOperation', operationId, params, changes, objects, ...extra };
    return this.xas.action<XasResponse>(body, { idempotent: writes });
  }

  async retrieve(operationId: string, options: RetrieveOptions, params: Record<string, unknown> = {}): Promise<{ guids: Guid[]; count: number | undefined }> {
    const res = await this.run(operationId, params, [], { options });
    this.store.ingest(res);
    const guids = res.resultGuids ?? guidsOf(res.actionResult) ?? [...(res.partialObjects ?? []), ...(res.objects ?? [])].map((o) => o.guid);
    return { guids: [...guids], count: res.count };
  }

  /** Creates an object in the client (seed 004: the server hands out the id and a signature). */
  async create(operationId: string): Promise<Guid> {
    const body: RuntimeOperationRequest = { action: 'runtimeOperation', operationId, params: {}, changes: {}, objects: [] };
    const res = await this.xas.action<XasResponse>(body);
    this.store.ingest(res, { created: true });
    const guid = guidsOf(res.actionResult)?.[0] ?? res.objects?.[0]?.guid ?? res.resultGuids?.[0];
    if (!guid) throw new XasError('The server did not return the new object.', 200, res);
    return guid;
  }

  /** Commits the objects with their changes; validation failures come back as an XasError with `validations`. */
  async commit(operationId: string, guids: Guid[]): Promise<void> {
    // Validation failures come back as 422 with per-member messages (XasError.validations).
    const res = await this.run(operationId, { Objects: { guids } }, guids, {}, true);
    // A server that omits `commits` still committed what it was asked to.
    this.store.ingest({ ...res, commits: res.commits && res.commits.length > 0 ? res.commits : guids });
  }

  async delete(operationId: string, guids: Guid[]): Promise<void> {
    const res = await this.run(operationId, { Objects: { guids } }, guids, {}, true);
    this.store.ingest({ ...res, deletes: res.deletes && res.deletes.length > 0 ? res.deletes : guids });
  }

  async rollback(operationId: string | undefined, guids: Guid[]): Promise<void> {
    if (operationId) {
      const res = await this.run(operationId, { Objects: { guids } }, guids);
      this.store.ingest(res);
    }
    for (const g of guids) this.store.discard(g);
  }

  /**
   * Calls a microflow. An object parameter travels as `{guid}` with its state; with
   * no parameter, the dirty state the microflow might reach is sent along. A call
   * from a button may change data, so it carries an Idempotency-Key; a list's data
   * source (`dataSource`) only reads.
   */
  async callMicroflow(operationId: string, params: Record<string, Guid> = {}, opts: { dataSource?: boolean; async?: boolean } = {}): Promise<XasResponse> {
    const wire: Record<string, unknown> = {};
    for (const [k, g] of Object.entries(params)) wire[k] = { guid: g };
    const involved = Object.keys(params).length > 0 ? Object.values(params) : [];
    const res = opts.async ? await this.callAsync(operationId, wire, involved) : await this.run(operationId, wire, involved, {}, !opts.dataSource);
    this.store.ingest(res);
    return res;
  }

  /**
   * A long-running microflow (button `async`): the server answers at once with
   * an id and runs the call in the background; the answer is fetched with
   * `asyncResult` (through whichever instance the proxy picks) until it is done.
   */
  private async callAsync(operationId: string, params: Record<string, unknown>, involved: Iterable<Guid>): Promise<XasResponse> {
    const started = await this.run(operationId, params, involved, { async: true });
    const id = (started as { asyncCall?: { id?: unknown } }).asyncCall?.id;
    if (typeof id !== 'string') throw new XasError('The server did not start the call.', 200, started);
    for (let wait = 250; ; wait = Math.min(2000, Math.round(wait * 1.5))) {
      await new Promise((r) => setTimeout(r, wait));
      const res = await this.xas.action<XasResponse & { done?: boolean }>({ action: 'asyncResult', params: { id } });
      if (res.done !== false) return res;
    }
  }
}

export function guidsOf(actionResult: unknown): Guid[] | undefined {
  if (!actionResult || typeof actionResult !== 'object') return undefined;
  const v = (actionResult as { value?: unknown }).value;
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string' && /^\d+$/.test(v)) return [v];
  if (v && typeof v === 'object' && typeof (v as { guid?: unknown }).guid === 'string') return [(v as { guid: string }).guid];
  return undefined;
}
