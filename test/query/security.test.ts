import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { commitObjects, openDatabase, type Database } from '../../src/data/index.js';
import { loadModel } from '../../src/model/index.js';
import type { CompiledModel } from '../../src/model/compiled/types.js';
import { createMxObject, type MxObject } from '../../src/objects/mx-object.js';
import { makeId, type AttributeValue } from '../../src/objects/values.js';
import { aggregate, retrieve } from '../../src/query/index.js';
import type { UserContext } from '../../src/security/user-context.js';
import { writeApp } from '../support/app-folder.js';
import { DIALECTS, freshDatabase, type TestDatabase } from '../support/databases.js';
import { createTables } from './fixture.js';

/**
 * Entity access as the query engine applies it, rule by rule: several rules
 * (of one role or of several) are a union, no applicable rule is no rows,
 * rules are not inherited (a Memo found through Doc is judged by Memo's rules),
 * and rules and constraints follow references and reference sets either way.
 */
const appFiles = (storage: 'table' | 'column') => ({
  'app.yaml': `name: Docs
modules: [M]
security:
  level: production
  userRoles: { Reader: [M.Reader], Auditor: [M.Auditor], Both: [M.Reader, M.Auditor], Guest: [M.Guest] }
`,
  'modules/M/domain-model.yaml': `moduleRoles: [Reader, Auditor, Guest]
entities:
  Team:
    attributes: { Name: String }
    access:
      - { roles: [Reader, Auditor], read: "*" }
  Doc:
    systemMembers: { owner: true }
    attributes: { Title: String, Status: String, Level: Integer }
    access:
      - { roles: [Reader], read: "*", xpath: "[Status = 'Public']" }
      - { roles: [Reader], read: "*", xpath: "[M.Doc_Team/M.Team/Name = 'Blue']" }
      - { roles: [Reader], read: "*", xpath: "[System.owner = '[%CurrentUser%]']" }
      - { roles: [Auditor], read: "*", xpath: "[Level >= 3]" }
  Memo:
    generalization: Doc
    attributes: { Urgent: Boolean }
    access:
      - { roles: [Reader, Auditor], read: "*", xpath: "[Urgent = false()]" }
  Report:
    generalization: Doc
    attributes: { Pages: Integer }
    access:
      - { roles: [Auditor], read: "*" }
  Tag:
    attributes: { Label: String }
    access:
      - { roles: [Reader], read: "*", xpath: "[M.Doc_Tags/M.Doc/Status = 'Public']" }
associations:
  Doc_Team: { type: Reference, parent: Doc, child: Team, storage: ${storage} }
  Doc_Tags: { type: ReferenceSet, parent: Doc, child: Tag }
`,
});

const USER = makeId(20, 7n);

// Over both storage formats of the Reference (an association table; a column on the parent's table).
const RUNS = DIALECTS.flatMap((d) => (['table', 'column'] as const).map((s) => [d, s] as const));

describe.each(RUNS)('entity access in queries on %s, the Reference stored as %s', (dialect, storage) => {
  let model: CompiledModel;
  let t: TestDatabase;
  let db: Database;
  const ids: Record<string, bigint> = {};
  const userOf = (userRole: string): UserContext => ({
    userId: USER,
    userName: 'u',
    userEntity: 'System.User',
    userRoles: [userRole],
    moduleRoles: new Set(model.security.userRoles.get(userRole)!.moduleRoles),
    sessionId: null,
    sessionObjectId: null,
    timeZone: 'UTC',
    applyEntityAccess: true,
    anonymous: false,
  });
  const keyOf = (id: bigint) => Object.entries(ids).find(([, v]) => v === id)?.[0] ?? String(id);

  beforeAll(async () => {
    const loaded = await loadModel(writeApp(appFiles(storage)));
    if (!loaded.model) throw new Error(loaded.diagnostics.map((d) => d.message).join('; '));
    model = loaded.model;
    expect(model.associations.get('M.Doc_Team')!.storage).toBe(storage);
    t = await freshDatabase(dialect);
    db = await openDatabase(t.url, { log: createLogger('silent'), poolSize: 1 });
    await createTables(db, model);
    const objs: MxObject[] = [];
    let seq = 0;
    const make = (key: string, entity: string, values: Record<string, AttributeValue>, refs: Record<string, bigint | bigint[] | null> = {}) => {
      const o = createMxObject(entity, makeId(30 + ['M.Team', 'M.Doc', 'M.Memo', 'M.Report', 'M.Tag'].indexOf(entity), BigInt(++seq)), 'new');
      for (const a of model.entities.get(entity)!.attributes.values()) o.values.set(a.name, a.type === 'Boolean' ? false : null);
      for (const [k, v] of Object.entries(values)) o.values.set(k, v);
      for (const [k, v] of Object.entries(refs)) o.references.set(k, v);
      ids[key] = o.id;
      objs.push(o);
    };
    make('blue', 'M.Team', { Name: 'Blue' });
    make('red', 'M.Team', { Name: 'Red' });
    make('t1', 'M.Tag', { Label: 'one' });
    make('t2', 'M.Tag', { Label: 'two' });
    make('t3', 'M.Tag', { Label: 'three' });
    const doc = (
      key: string,
      entity: string,
      status: string,
      level: number,
      team: string,
      extra: Record<string, AttributeValue> = {},
      refs: Record<string, bigint | bigint[] | null> = {},
    ) =>
      make(key, entity, { Title: key, Status: status, Level: level, ...extra }, { 'M.Doc_Team': ids[team]!, 'M.Doc_Tags': [], 'System.owner': null, ...refs });
    doc('d1', 'M.Doc', 'Public', 1, 'red', {}, { 'M.Doc_Tags': [ids.t1!] });
    doc('d2', 'M.Doc', 'Draft', 1, 'blue', {}, { 'M.Doc_Tags': [ids.t2!] });
    doc('d3', 'M.Doc', 'Secret', 5, 'red');
    doc('d4', 'M.Doc', 'Draft', 1, 'red', {}, { 'System.owner': USER });
    doc('m1', 'M.Memo', 'Public', 1, 'red', { Urgent: false });
    doc('m2', 'M.Memo', 'Secret', 4, 'blue', { Urgent: true });
    doc('m3', 'M.Memo', 'Draft', 1, 'red', { Urgent: false });
    doc('r1', 'M.Report', 'Secret', 1, 'red', { Pages: 3 });
    doc('r2', 'M.Report', 'Public', 9, 'blue', { Pages: 40 });
    await db.transaction((tx) => commitObjects(tx, model, objs));
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });

  it.each([
    // Doc objects by Doc's three Reader rules (public, team Blue, owned), Memos by Memo's rule, no Report rule.
    ['Reader', '//M.Doc', ['d1', 'd2', 'd4', 'm1', 'm3']],
    ['Auditor', '//M.Doc', ['d3', 'm1', 'm3', 'r1', 'r2']],
    // Two user roles: the union of both roles' rules, per concrete entity.
    ['Both', '//M.Doc', ['d1', 'd2', 'd3', 'd4', 'm1', 'm3', 'r1', 'r2']],
    ['Guest', '//M.Doc', []],
    ['Guest', '//M.Team', []],
    // A specialization queried directly: its own rules, not its generalization's.
    ['Reader', '//M.Memo', ['m1', 'm3']],
    ['Reader', '//M.Report', []],
    ['Auditor', '//M.Report[Level > 5]', ['r2']],
    // The rule and the query's constraint are ANDed.
    ['Reader', "//M.Doc[Status = 'Draft']", ['d2', 'd4', 'm3']],
    // A rule over a reference set, followed from the child's side (evaluated with full rights).
    ['Reader', '//M.Tag', ['t1']],
    // A constraint's path only reaches objects the user may read: d3 (Level 5) is not the Reader's.
    ['Reader', '//M.Team[M.Doc_Team/M.Doc/Level >= 3]', []],
    ['Auditor', '//M.Team[M.Doc_Team/M.Doc/Level >= 3]', ['blue', 'red']],
    ['Auditor', '//M.Team[M.Doc_Team/M.Memo/Level >= 3]', []],
    ['Both', "//M.Team[M.Doc_Team/M.Doc/Status = 'Public']", ['blue', 'red']],
    ['Reader', "//M.Team[M.Doc_Team/M.Doc/Status = 'Public']", ['red']],
  ] as const)('a %s user: %s', async (role, xpath, expected) => {
    const res = await retrieve(db, model, { xpath, wantCount: true, amount: 100 }, userOf(role));
    expect(res.objects.map((o) => keyOf(o.id)).sort()).toEqual([...expected].sort());
    expect(res.count).toBe(expected.length);
  });

  it.each([
    ['Reader', 'count(//M.Doc)', '5'],
    ['Guest', 'count(//M.Doc)', '0'],
    ['Reader', 'max(//M.Doc/Level)', '1'],
    ['Auditor', 'max(//M.Doc/Level)', '9'],
    ['Both', 'sum(//M.Doc/Level)', '20'],
    ['Auditor', 'count(//M.Team[M.Doc_Team/M.Doc/Level >= 3])', '2'],
  ] as const)('aggregates see the same rows: a %s user, %s', async (role, xpath, expected) => {
    expect(String(await aggregate(db, model, { xpath }, userOf(role)))).toBe(expected);
  });

  it('returns each object with its own entity and only through its own rules', async () => {
    const res = await retrieve(db, model, { xpath: '//M.Doc', sort: [{ attribute: 'Title' }] }, userOf('Both'));
    expect(res.objects.map((o) => `${keyOf(o.id)}:${o.entity}`)).toEqual([
      'd1:M.Doc',
      'd2:M.Doc',
      'd3:M.Doc',
      'd4:M.Doc',
      'm1:M.Memo',
      'm3:M.Memo',
      'r1:M.Report',
      'r2:M.Report',
    ]);
    expect(res.objects.find((o) => o.id === ids.r2)!.values.get('Pages')).toBe(40);
  });
});
