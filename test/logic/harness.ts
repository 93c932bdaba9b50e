import { createLogger, type Logger } from '../../src/core/logger.js';
import { openDatabase, quoteIdentifier, type Database } from '../../src/data/index.js';
import { createIdGenerator } from '../../src/data/ids-impl.js';
import { syncSchema } from '../../src/data/schema/sync.js';
import { checkMicroflows, dataPort, dbPort, MicroflowEngine, queryPort, loadActions } from '../../src/logic/index.js';
import { actionContextFactory } from '../../src/logic/action-context.js';
import { loadModel, formatDiagnostic, type CompiledModel } from '../../src/model/index.js';
import { SYSTEM_CONTEXT, type UserContext } from '../../src/security/user-context.js';
import { writeApp } from '../support/app-folder.js';
import { freshDatabase, type DialectName, type TestDatabase } from '../support/databases.js';

/**
 * A small shop app for the engine's tests: Item (validation rules, event
 * handlers that write Log rows), Log (AutoNumber Seq to order events), Order
 * with OrderLine (cascade), Item_Tag (reference set), Pet with Dog (and Puppy) and
 * Cat (inheritance). Tests add microflows.
 */
export const DOMAIN = `
moduleRoles: [User]
enumerations:
  State: { Open: Open, Done: Done }
entities:
  Item:
    attributes:
      Name: String(100)
      Code: String(20)
      Qty: { type: Integer, default: 0 }
      Price: Decimal
      State: { type: Enumeration, enumeration: State, default: Open }
    validation:
      - { attribute: Name, required: "Name is required" }
      - { attribute: Qty, range: { min: 0, message: "Qty cannot be negative" } }
      - { attribute: Code, unique: "Code must be unique" }
    events:
      - { moment: before, event: commit, microflow: Item_BeforeCommit }
      - { moment: after, event: commit, microflow: Item_AfterCommit }
      - { moment: after, event: create, microflow: Item_AfterCreate }
      - { moment: before, event: delete, microflow: Item_BeforeDelete }
      - { moment: after, event: delete, microflow: Item_AfterDelete }
  Log:
    attributes:
      Seq: AutoNumber
      Message: String(200)
  Tag:
    attributes:
      Label: String(50)
  Order:
    attributes:
      Number: Integer
      Total: Decimal
  OrderLine:
    attributes:
      Amount: Decimal
  Pet:
    attributes:
      Name: String(50)
  Dog:
    generalization: Pet
    attributes:
      Barks: { type: Boolean, default: true }
  Puppy:
    generalization: Dog
  Cat:
    generalization: Pet
associations:
  Item_Tag: { type: ReferenceSet, parent: Item, child: Tag }
  OrderLine_Order: { type: Reference, parent: OrderLine, child: Order, deleteBehavior: { child: cascade } }
`;

/** Event handlers record "<event>:<Name>" in Log; an Item named 'veto' is refused before commit. */
const HANDLERS: Record<string, string> = {
  Item_BeforeCommit: `
parameters: { Item: Shop.Item }
returns: Boolean
body:
  - create: { entity: Shop.Log, set: { Message: "'beforeCommit:' + $Item/Name" }, commit: true, into: L }
  - return: "$Item/Name != 'veto'"`,
  Item_AfterCommit: `
parameters: { Item: Shop.Item }
body:
  - create: { entity: Shop.Log, set: { Message: "'afterCommit:' + $Item/Name" }, commit: true, into: L }`,
  Item_AfterCreate: `
parameters: { Item: Shop.Item }
body:
  - change: { object: $Item, set: { Name: "'new'", Price: 1 } }`,
  Item_BeforeDelete: `
parameters: { Item: Shop.Item }
returns: Boolean
body:
  - create: { entity: Shop.Log, set: { Message: "'beforeDelete:' + $Item/Name" }, commit: true, into: L }
  - return: "$Item/Name != 'keep'"`,
  Item_AfterDelete: `
parameters: { Item: Shop.Item }
body:
  - create: { entity: Shop.Log, set: { Message: "'afterDelete:' + $Item/Name" }, commit: true, into: L }`,
};

export interface LogicApp {
  readonly model: CompiledModel;
  readonly db: Database;
  readonly engine: MicroflowEngine;
  readonly test: TestDatabase;
  /** Rows of a table, ordered by id. */
  rows(entity: string, columns?: string): Promise<Record<string, unknown>[]>;
  /** The Log messages in the order they were written. */
  log(): Promise<string[]>;
  count(entity: string): Promise<number>;
  close(): Promise<void>;
}

export function appFiles(microflows: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  const files: Record<string, string> = {
    'app.yaml': 'name: Shop\nversion: 1.0.0\nmodules: [Shop]\nsecurity: { level: off }\n',
    'modules/Shop/domain-model.yaml': DOMAIN,
    ...extra,
  };
  for (const [name, text] of Object.entries({ ...HANDLERS, ...microflows })) files[`modules/Shop/microflows/${name}.yaml`] = text;
  return files;
}

export async function compileShop(
  microflows: Record<string, string>,
  extra: Record<string, string> = {},
): Promise<{ dir: string; model?: CompiledModel; problems: string[] }> {
  const dir = writeApp(appFiles(microflows, extra));
  const r = await loadModel(dir, { checks: [checkMicroflows] });
  return { dir, model: r.model, problems: r.diagnostics.map(formatDiagnostic) };
}

export async function logicApp(
  dialect: DialectName,
  microflows: Record<string, string>,
  extra: Record<string, string> = {},
  opts: { log?: Logger } = {},
): Promise<LogicApp> {
  const { dir, model, problems } = await compileShop(microflows, extra);
  if (!model) throw new Error(`the test app does not compile:\n${problems.join('\n')}`);
  const test = await freshDatabase(dialect);
  const log = createLogger('silent');
  const db = await openDatabase(test.url, { log, poolSize: 3 });
  const engineLog = opts.log ?? log;
  await syncSchema(db, model, { allowDestructive: false, log });
  const ids = await createIdGenerator(db, model);
  let engine: MicroflowEngine | undefined;
  const actions = await loadActions(
    dir,
    model.app.modules,
    actionContextFactory(() => engine!),
  );
  engine = new MicroflowEngine({ model, data: dataPort(model, ids), query: queryPort(db.dialect), db: dbPort(db), log: engineLog, actions });
  const table = (entity: string) => quoteIdentifier(db.dialect, model.entities.get(entity)!.table);
  return {
    model,
    db,
    engine,
    test,
    rows: (entity, columns = '*') => db.query(`SELECT ${columns} FROM ${table(entity)} ORDER BY ${quoteIdentifier(db.dialect, 'id')}`, []),
    async log() {
      const rows = await db.query<{ message: string }>(
        `SELECT ${quoteIdentifier(db.dialect, 'message')} AS message FROM ${table('Shop.Log')} ORDER BY ${quoteIdentifier(db.dialect, 'seq')}`,
        [],
      );
      return rows.map((r) => r.message);
    },
    async count(entity) {
      const rows = await db.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table(entity)}`, []);
      return Number(rows[0]!.n);
    },
    async close() {
      await db.close();
      await test.drop();
    },
  };
}

export const USER: UserContext = SYSTEM_CONTEXT;
