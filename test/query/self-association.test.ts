import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { commitObjects, openDatabase, type Database } from '../../src/data/index.js';
import { loadModel } from '../../src/model/index.js';
import type { CompiledModel } from '../../src/model/compiled/types.js';
import { createMxObject } from '../../src/objects/mx-object.js';
import { retrieve } from '../../src/query/index.js';
import { SYSTEM_CONTEXT } from '../../src/security/user-context.js';
import { writeApp } from '../support/app-folder.js';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/databases.js';
import { createTables } from './fixture.js';

// A folder tree over a self-association: the sub-folder owns the reference to its parent.
const APP = {
  'app.yaml': 'name: Files\nmodules: [M]\n',
  'modules/M/domain-model.yaml':
    'entities:\n  Folder:\n    attributes:\n      Name: String\nassociations:\n  Folder_Parent: { type: Reference, parent: Folder, child: Folder }\n',
};

describe.each(DIALECTS)('self-associations on %s', (dialect) => {
  let model: CompiledModel;
  let t: TestDatabase;
  let db: Database;
  const ids = { R: 1n, A: 2n, B: 3n };
  beforeAll(async () => {
    model = (await loadModel(writeApp(APP))).model!;
    t = await freshDatabase(dialect);
    db = await openDatabase(t.url, { log: createLogger('silent'), poolSize: 1 });
    await createTables(db, model);
    const f = (name: keyof typeof ids, parent: bigint | null) => {
      const o = createMxObject('M.Folder', ids[name], 'new');
      o.values.set('Name', name);
      o.references.set('M.Folder_Parent', parent);
      return o;
    };
    await db.transaction((tx) => commitObjects(tx, model, [f('R', null), f('A', ids.R), f('B', ids.A)]));
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });

  it.each([
    ['//M.Folder[M.Folder_Parent = $R]', ['A']],
    ['//M.Folder[M.Folder_Parent = $A]', ['B']],
    ['//M.Folder[M.Folder_Parent[reversed()] = $A]', ['R']],
    ["//M.Folder[M.Folder_Parent/M.Folder/Name = 'R']", ['A']],
    ["//M.Folder[M.Folder_Parent[reversed()]/M.Folder/Name = 'B']", ['A']],
    ['//M.Folder[not(M.Folder_Parent[reversed()])]', ['B']],
    ["//M.Folder[Name = 'B']/M.Folder_Parent/M.Folder", ['A']],
    ["//M.Folder[Name = 'R']/M.Folder_Parent[reversed()]/M.Folder", ['A']],
    ["//M.Folder[M.Folder_Parent/M.Folder/M.Folder_Parent/M.Folder/Name = 'R']", ['B']],
  ])('%s', async (xpath, expected) => {
    const { objects } = await retrieve(db, model, { xpath, sort: [{ attribute: 'Name' }] }, SYSTEM_CONTEXT, { R: ids.R, A: ids.A });
    expect(objects.map((o) => o.values.get('Name'))).toEqual(expected);
  });
});
