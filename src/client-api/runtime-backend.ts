import type { CompiledModel, MemberRight } from '../model/compiled/types.js';
import { ownedAssociations } from '../model/compiled/owned-associations.js';
import { createMxObject, putValue, type MxObject } from '../objects/mx-object.js';
import type { ObjectId } from '../objects/values.js';
import { commitObjects, createObject, deleteObjects, type Database, type IdGenerator, type Transaction } from '../data/index.js';
import { defaultValue } from '../data/persistence/create.js';
import { compileQuery, retrieve as runQuery, XPathResolveError, XPathSyntaxError, type QueryPlan, type QueryRequest } from '../query/index.js';
import { entityAccess } from '../security/entity-access.js';
import type { UserContext } from '../security/user-context.js';
import type { SecurityService } from '../security/services.js';
import type { BackendTx, ClientApiBackend, LoadedObject, MicroflowArg, MicroflowOutcome, RetrieveRequest, RetrieveResult } from './backend.js';
import { ValidationFailed } from './backend.js';
import { ClientApiError, malformed } from './errors.js';
import type { ObjectLogic } from './ports.js';
import type { OperationRegistry, RetrieveOperation } from './registry/types.js';
import type { StopSignal } from '../core/stop-signal.js';

const EXTRA_PLANS = 256;

/**
 * Compiles a plan with a client's extraXpath: a problem in that text (an
 * unknown enumeration value, a literal that does not fit its attribute, an id
 * that is not one) is the client's 400, not a 500.
 */
function compileExtra(compile: () => QueryPlan, extraXpath: string): QueryPlan {
  try {
    return compile();
  } catch (e) {
    if ((e instanceof XPathResolveError || e instanceof XPathSyntaxError) && e.xpath === extraXpath) {
      throw malformed('options.extraXpath', `is not a valid XPath constraint: ${e.message}`);
    }
    throw e;
  }
}
/** Ids per SELECT when loading objects by id. */
const ID_CHUNK = 50;

type RetrieveOptions = NonNullable<Parameters<typeof runQuery>[5]>;

/** The by-id loads' options, one object for all of them. */
const NO_OPTIONS: RetrieveOptions = {};
const MATCH_RULES_ONLY: RetrieveOptions = { matchRulesOnly: true };

/** The by-id plans' variable names (`Id0`...), made once: a load sets them on its variables without building and internalizing the text. */
const ID_VARIABLES = Array.from({ length: ID_CHUNK }, (_, j) => `Id${j}`);

function idVariable(j: number): string {
  return ID_VARIABLES[j] ?? `Id${j}`;
}

/** The variables of a by-id plan for these ids (`Id0`... in order). */
function idVariables(ids: readonly ObjectId[], from: number, to: number): Record<string, unknown> {
  // One id (a Save or a data view of one object): a literal, not a property added to an empty object.
  if (to - from === 1) return { Id0: ids[from] };
  const vars: Record<string, unknown> = {};
  for (let i = from; i < to; i++) vars[ID_VARIABLES[i - from]!] = ids[i];
  return vars;
}

/**
 * The client API's backend on the real components: the query engine for
 * retrieves (plans compiled once per operation at start-up), the data layer
 * for persistence, security for entity access, the microflow engine (when
 * present) for validation, events and microflow calls.
 */
export class RuntimeBackend implements ClientApiBackend {
  private readonly plans = new Map<string, QueryPlan>();
  /** Plans with a client extraXpath, by operation id + text (bounded; the text comes from clients). */
  private readonly extraPlans = new Map<string, QueryPlan>();
  /** By entity, then attribute list ('*': all), then id count. */
  private readonly byIdPlans = new Map<string, Map<string, QueryPlan[]>>();

  constructor(
    private readonly model: CompiledModel,
    private readonly db: Database,
    private readonly ids: IdGenerator,
    registry: OperationRegistry,
    private readonly logic?: ObjectLogic,
    /** The security service: hashes (and policy-checks) changed HashedString values before a commit, ends sessions of users it disables. */
    private readonly security?: Pick<SecurityService, 'beforeCommit'>,
  ) {
    for (const op of registry.operations) {
      if (op.type === 'retrieve' && model.entities.get(op.entity)?.persistable)
        this.plans.set(op.id, compileQuery(model, this.queryRequest(op, ''), db.dialect));
    }
  }

  private queryRequest(op: RetrieveOperation, extraXpath: string): QueryRequest {
    const xpath = op.byParameter ? `//${op.entity}[id = $Id]` : op.xpath;
    return {
      xpath,
      sort: op.sort.map((s) => ({ attribute: s.attribute, descending: s.descending })),
      attributes: [...op.attributes, ...new Set([...op.paths.map((p) => p.association), ...(op.references ?? [])])],
      ...(extraXpath ? { extraXpath } : {}),
    };
  }

  private planFor(op: RetrieveOperation, extraXpath: string): QueryPlan {
    if (!extraXpath) return this.plans.get(op.id)!;
    const key = `${op.id}\n${extraXpath}`;
    let p = this.extraPlans.get(key);
    if (!p) {
      p = compileExtra(() => compileQuery(this.model, this.queryRequest(op, extraXpath), this.db.dialect), extraXpath);
      if (this.extraPlans.size >= EXTRA_PLANS) this.extraPlans.delete(this.extraPlans.keys().next().value!);
      this.extraPlans.set(key, p);
    }
    return p;
  }

  transaction<T>(fn: (tx: BackendTx) => Promise<T>, signal?: StopSignal, deferWrite = false): Promise<T> {
    const opts = signal ? { signal, deferWrite } : deferWrite ? { deferWrite } : undefined;
    return this.db.transaction((tx) => fn(tx as unknown as BackendTx), opts);
  }

  entityOfId(id: ObjectId): string | undefined {
    return this.ids.entityOf(id);
  }

  async retrieve(op: RetrieveOperation, user: UserContext, req: RetrieveRequest): Promise<RetrieveResult> {
    const plan = this.plans.get(op.id) ? this.planFor(op, req.extraXpath) : undefined;
    if (!plan) throw new ClientApiError(400, `${op.entity} is not persistable: nothing to retrieve`);
    const result = await runQuery(
      this.db,
      this.model,
      plan,
      user,
      { ...req.variables, ...(req.id !== undefined ? { Id: req.id } : {}) },
      {
        offset: req.offset,
        amount: Math.max(0, req.amount),
        ...(req.sort.length ? { sort: req.sort } : {}),
        wantCount: req.wantCount,
      },
    );
    const objects = this.loadedAll(user, result.objects, result.matched);
    const related: LoadedObject[] = [];
    for (const p of op.paths) {
      // A reference holds one id, a reference set a list of them.
      const ids = [...new Set(objects.flatMap((l) => [l.object.references.get(p.association) ?? []].flat()).filter((x): x is bigint => typeof x === 'bigint'))];
      if (ids.length) related.push(...(await this.load(null, user, p.entity, ids, [p.attribute])));
    }
    return { objects, ...(result.count !== undefined ? { count: result.count } : {}), related };
  }

  /**
   * A page of objects with their member rights: per object from the rules it
   * matches (`matched`, read from the page's own statement) when the user's
   * rules give objects different rights; otherwise every rule's, looked up once per entity.
   */
  private loadedAll(user: UserContext, objects: readonly MxObject[], matched?: readonly (readonly boolean[] | undefined)[]): LoadedObject[] {
    const out: LoadedObject[] = new Array(objects.length);
    let entity = '';
    let rights: ReadonlyMap<string, MemberRight> | undefined;
    let deletable = false;
    for (let i = 0; i < objects.length; i++) {
      const object = objects[i]!;
      const m = matched?.[i];
      if (m) {
        out[i] = this.loaded(user, object, m);
        continue;
      }
      // Every rule's rights, looked up once per entity of the page (no LoadedObject made for it).
      if (object.entity !== entity || rights === undefined) {
        const access = entityAccess(this.model, user, object.entity);
        rights = access.rightsFor(access.allRules);
        deletable = !access.restricted || access.canDelete;
        entity = object.entity;
      }
      out[i] = { object, rights, deletable };
    }
    return out;
  }

  /** Rights on an existing object: the union over the applicable rules it matches (`matched`, default all). */
  private loaded(user: UserContext, object: MxObject, matched?: readonly boolean[]): LoadedObject {
    const access = entityAccess(this.model, user, object.entity);
    if (!access.restricted) return { object, rights: access.rightsFor(access.allRules), deletable: true };
    // All rules: deletable when any of them allows delete, which is canDelete.
    if (!matched) return { object, rights: access.rightsFor(access.allRules), deletable: access.canDelete };
    return { object, rights: access.rightsFor(matched), deletable: access.rules.some((r, i) => matched[i] && r.delete) };
  }

  async load(q: BackendTx | null, user: UserContext, entity: string, ids: readonly ObjectId[], attributes?: readonly string[]): Promise<LoadedObject[]> {
    // Non-persistable objects live in one request only: an id of one (from the process-local range) finds nothing stored.
    if (!this.model.entities.get(entity)?.persistable) return [];
    const exec = (q as unknown as Transaction | null) ?? this.db;
    // One id (a Save or a data view of one object) has no repeats: no Set and copy made for it.
    const unique = ids.length === 1 ? ids : [...new Set(ids)];
    if (unique.length === 0) return [];
    // One SELECT per chunk of ids, with the user's read constraint and the rules each object matches: no query per object.
    if (unique.length <= ID_CHUNK) {
      const r = await runQuery(exec, this.model, this.byIdPlan(entity, unique.length, attributes), user, idVariables(unique, 0, unique.length), NO_OPTIONS);
      return this.loadedAll(user, r.objects, r.matched);
    }
    const out: LoadedObject[] = [];
    for (let i = 0; i < unique.length; i += ID_CHUNK) {
      const to = Math.min(i + ID_CHUNK, unique.length);
      const r = await runQuery(exec, this.model, this.byIdPlan(entity, to - i, attributes), user, idVariables(unique, i, to), NO_OPTIONS);
      for (const l of this.loadedAll(user, r.objects, r.matched)) out.push(l);
    }
    return out;
  }

  async rightsOn(user: UserContext, objects: readonly MxObject[], q: BackendTx | null = null): Promise<Map<MxObject, LoadedObject>> {
    const out = new Map<MxObject, LoadedObject>();
    const byEntity = new Map<string, MxObject[]>();
    for (const o of objects) {
      const access = entityAccess(this.model, user, o.entity);
      // New objects pass every XPath; without XPath rules every rule applies to every object.
      if (o.state === 'new' || !access.restricted || (access.rules.every((r) => !r.xpath) && access.rules.length > 0)) {
        out.set(o, this.loaded(user, o));
        continue;
      }
      const list = byEntity.get(o.entity) ?? [];
      list.push(o);
      byEntity.set(o.entity, list);
    }
    // The persisted objects: which rules they match, in one SELECT per chunk (the rows not filtered by the rules).
    for (const [entity, objs] of byEntity) {
      for (let i = 0; i < objs.length; i += ID_CHUNK) {
        const part = objs.slice(i, i + ID_CHUNK);
        const r = await runQuery(
          (q as unknown as Transaction | null) ?? this.db,
          this.model,
          this.byIdPlan(entity, part.length, []),
          user,
          idVariables(
            part.map((o) => o.id),
            0,
            part.length,
          ),
          MATCH_RULES_ONLY,
        );
        const matched = new Map(r.objects.map((o, j) => [o.id, r.matched?.[j]]));
        for (const o of part) {
          // Gone from the database (deleted by the microflow): no rule matches.
          const m = matched.has(o.id) ? matched.get(o.id) : [];
          out.set(o, this.loaded(user, o, m ?? []));
        }
      }
    }
    return out;
  }

  async readableIds(q: BackendTx | null, user: UserContext, entity: string, ids: readonly ObjectId[]): Promise<ReadonlySet<ObjectId>> {
    const exec = (q as unknown as Transaction | null) ?? this.db;
    const found = new Set<ObjectId>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += ID_CHUNK) {
      const to = Math.min(i + ID_CHUNK, unique.length);
      const r = await runQuery(exec, this.model, this.byIdPlan(entity, to - i, []), user, idVariables(unique, i, to), NO_OPTIONS);
      for (const o of r.objects) found.add(o.id);
    }
    return found;
  }

  /**
   * `//Entity[id = $Id0 or id = $Id1 ...]`, compiled once per entity, attribute list and id count.
   * Looked up by the entity's name (the model's string, its hash kept), the attribute list ('*' for
   * all, '' for none: constants) and the count as an index: no key text built and hashed per load.
   */
  private byIdPlan(entity: string, n: number, attributes: readonly string[] | undefined): QueryPlan {
    let perEntity = this.byIdPlans.get(entity);
    if (!perEntity) {
      perEntity = new Map();
      this.byIdPlans.set(entity, perEntity);
    }
    const attrKey = attributes === undefined ? '*' : attributes.length === 0 ? '' : attributes.join(',');
    let byCount = perEntity.get(attrKey);
    if (!byCount) {
      byCount = [];
      perEntity.set(attrKey, byCount);
    }
    let plan = byCount[n];
    if (!plan) {
      const constraint = Array.from({ length: n }, (_, j) => `id = $${idVariable(j)}`).join(' or ');
      plan = compileQuery(this.model, { xpath: `//${entity}[${constraint}]`, ...(attributes ? { attributes } : {}) }, this.db.dialect);
      byCount[n] = plan;
    }
    return plan;
  }

  instantiate(entity: string, id: ObjectId): MxObject {
    const e = this.model.entities.get(entity)!;
    const obj = createMxObject(entity, id, 'new');
    const now = new Date();
    for (const a of e.attributes.values()) putValue(obj, a.name, a.type === 'AutoNumber' ? null : a.system ? now : defaultValue(a, now));
    for (const name of ownedAssociations(e)) obj.references.set(name, this.model.associations.get(name)!.type === 'Reference' ? null : []);
    return obj;
  }

  async create(tx: BackendTx | null, user: UserContext, entity: string): Promise<MxObject> {
    const obj = await createObject(this.model, entity, this.ids, user.userId !== null ? { user: user.userId } : {});
    await this.logic?.afterCreate?.(tx as unknown as Transaction | null, user, obj);
    return obj;
  }

  async commit(tx: BackendTx, user: UserContext, objects: readonly MxObject[]): Promise<void> {
    const t = tx as unknown as Transaction;
    const weak = await this.security?.beforeCommit(objects, t, user.sessionObjectId);
    if (weak?.length) throw new ValidationFailed(weak.map(({ guid, member, message }) => ({ guid, member, message })));
    if (this.logic) return this.logic.commit(t, user, objects);
    await commitObjects(t, this.model, objects, user.userId !== null ? { user: user.userId } : {});
  }

  async delete(tx: BackendTx, user: UserContext, objects: readonly MxObject[]): Promise<void> {
    const t = tx as unknown as Transaction;
    if (this.logic) return this.logic.delete(t, user, objects);
    await deleteObjects(t, this.model, objects);
  }

  async rollback(user: UserContext, objects: readonly MxObject[]): Promise<void> {
    await this.logic?.rollback(user, objects);
  }

  async callMicroflow(tx: BackendTx, user: UserContext, name: string, args: ReadonlyMap<string, MicroflowArg>): Promise<MicroflowOutcome> {
    if (!this.logic) throw new ClientApiError(501, 'microflows cannot run: the microflow engine is not part of this runtime');
    return this.logic.callMicroflow(tx as unknown as Transaction, user, name, args);
  }
}
