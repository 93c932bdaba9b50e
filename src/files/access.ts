import type { Database, IdGenerator } from '../data/index.js';
import type { CompiledModel } from '../model/compiled/types.js';
import type { ObjectId } from '../objects/values.js';
import { compileQuery, retrieve, type QueryPlan } from '../query/index.js';
import { openContext } from '../security/contexts.js';
import { entityAccess } from '../security/entity-access.js';
import type { UserContext } from '../security/user-context.js';

/**
 * Entity access per FileDocument object for the /file handler: the object's
 * concrete entity from its id, then one SELECT with the user's read
 * constraint (the XPath of the rules) that also says which rules the object
 * matches; downloading needs read access to `Contents`, uploading write
 * access to it.
 */
export class FileAccess {
  private readonly plans = new Map<string, QueryPlan>();

  constructor(
    private readonly model: CompiledModel,
    private readonly db: Database,
    private readonly ids: IdGenerator,
  ) {}

  openContext(): UserContext {
    return openContext(this.model);
  }

  private plan(entity: string): QueryPlan {
    let p = this.plans.get(entity);
    if (!p) {
      p = compileQuery(this.model, { xpath: `//${entity}[id = $Id]`, attributes: ['Name'] }, this.db.dialect);
      this.plans.set(entity, p);
    }
    return p;
  }

  /** The concrete entity of the FileDocument when the user may read its contents; undefined otherwise (or when there is no such object). */
  readable(user: UserContext, id: ObjectId): Promise<string | undefined> {
    return this.check(user, id, false);
  }

  /** The concrete entity when the user may write the contents of this existing FileDocument. */
  writable(user: UserContext, id: ObjectId): Promise<string | undefined> {
    return this.check(user, id, true);
  }

  private async check(user: UserContext, id: ObjectId, write: boolean): Promise<string | undefined> {
    const entity = this.ids.entityOf(id);
    const e = entity ? this.model.entities.get(entity) : undefined;
    if (!entity || !e?.persistable || !e.chain.includes('System.FileDocument')) return undefined;
    const r = await retrieve(this.db, this.model, this.plan(entity), user, { Id: id });
    if (r.objects.length === 0) return undefined;
    const access = entityAccess(this.model, user, entity);
    if (!access.restricted) return entity;
    const matched = r.matched?.[0] ?? access.rules.map(() => true);
    const right = access.rightsFor(matched).get('Contents') ?? 'None';
    return (write ? right === 'ReadWrite' : right !== 'None') ? entity : undefined;
  }
}
