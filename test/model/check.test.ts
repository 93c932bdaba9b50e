import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { writeApp } from '../support/app-folder.js';
import { ROOT } from '../support/cli.js';
import { join } from 'node:path';

async function check(files: Record<string, string>): Promise<string[]> {
  const { diagnostics } = await loadModel(writeApp(files));
  return diagnostics.map(formatDiagnostic);
}

const APP = 'name: T\nmodules: [Sales]\nsecurity:\n  level: production\n  userRoles: { U: [Sales.User] }\n';

describe('kiln check: examples', () => {
  it.each(['employees', 'sales'])('examples/%s has no errors', async (name) => {
    const { model, diagnostics } = await loadModel(join(ROOT, 'examples', name));
    expect(diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
    expect(model).toBeDefined();
  });

  it("compiles the seeds' employee mapping", async () => {
    const { model } = await loadModel(join(ROOT, 'examples', 'employees'));
    const e = model!.entities.get('MyFirstModule.Employee')!;
    expect(e.table).toBe('myfirstmodule$employee');
    expect(e.ownAttributes.map((a) => a.column)).toEqual(['firstname', 'lastname', 'jobtitle', 'department', 'dateofbirth']);
    expect(e.attributes.get('DateOfBirth')!.localize).toBe(false);
    expect(e.attributes.get('Lastname')!.length).toBe(200);
  });

  it('flattens inheritance and association naming in the sales example', async () => {
    const { model } = await loadModel(join(ROOT, 'examples', 'sales'));
    const c = model!.entities.get('Sales.Customer')!;
    expect(c.chain).toEqual(['Sales.Customer', 'Administration.Account', 'System.User']);
    expect(c.attributes.has('Name')).toBe(true);
    expect(model!.entities.get('System.User')!.hasTypeColumn).toBe(true);
    const a = model!.associations.get('Sales.Order_Customer')!;
    expect([a.table, a.parentColumn, a.childColumn]).toEqual(['sales$order_customer', 'sales$orderid', 'sales$customerid']);
    expect(a.onDeleteChild).toEqual({ kind: 'prevent', message: 'This customer has orders and cannot be deleted' });
    const rule = model!.entities.get('Sales.Order')!.access.find((r) => r.roles.includes('Sales.Customer'))!;
    expect(rule.members.get('InternalNote')).toBe('None');
    expect(rule.members.get('OrderDate')).toBe('ReadWrite');
    expect(rule.members.get('Sales.Order_Customer')).toBe('ReadWrite');
  });
});

describe('kiln check: broken models', () => {
  it('reports an unknown attribute type with file, line and path', async () => {
    const out = await check({
      'app.yaml': APP,
      'modules/Sales/domain-model.yaml': 'moduleRoles: [User]\nentities:\n  Order:\n    attributes:\n      Total: Money\n',
    });
    expect(out).toContain(
      "modules/Sales/domain-model.yaml:5 entities.Order.attributes.Total: unknown attribute type 'Money' (expected one of String, Integer, Long, Decimal, Boolean, DateTime, Enumeration, AutoNumber, Binary, HashedString)",
    );
  });

  it('reports malformed YAML with its position', async () => {
    const out = await check({ 'app.yaml': APP, 'modules/Sales/domain-model.yaml': 'entities:\n  Order: {\n' });
    expect(out.some((l) => /^modules\/Sales\/domain-model\.yaml:\d+(:\d+)?: malformed YAML: /.test(l))).toBe(true);
  });

  it('reports malformed JSON model files', async () => {
    const out = await check({ 'app.yaml': APP, 'modules/Sales/domain-model.json': '{"entities": {"Order": }' });
    expect(out.some((l) => l.startsWith('modules/Sales/domain-model.json:1') && l.includes('malformed JSON'))).toBe(true);
  });

  it('accepts JSON model files', async () => {
    const { model, diagnostics } = await loadModel(
      writeApp({
        'app.json': JSON.stringify({ name: 'T', modules: ['Sales'] }),
        'modules/Sales/domain-model.json': JSON.stringify({ entities: { Order: { attributes: { Total: 'Decimal' } } } }),
      }),
    );
    expect(diagnostics).toEqual([]);
    expect(model!.entities.get('Sales.Order')!.attributes.get('Total')!.type).toBe('Decimal');
  });

  it('reports a file of unknown kind', async () => {
    const out = await check({ 'app.yaml': APP, 'modules/Sales/domain-model.yaml': 'moduleRoles: [User]\n', 'modules/Sales/stuff/x.yaml': 'a: 1\n' });
    expect(out).toContain(
      'modules/Sales/stuff/x.yaml: file of unknown kind: model files are app.yaml, modules/<Module>/domain-model.yaml, modules/<Module>/microflows/<Name>.yaml, modules/<Module>/nanoflows/<Name>.yaml, modules/<Module>/pages/<Name>.yaml, modules/<Module>/layouts/<Name>.yaml, modules/<Module>/snippets/<Name>.yaml, modules/<Module>/rest/<Name>.yaml, modules/<Module>/odata/<Name>.yaml, modules/<Module>/scheduled-events/<Name>.yaml, modules/<Module>/task-queues/<Name>.yaml, modules/<Module>/json-structures/<Name>.json and modules/<Module>/mappings/<Name>.yaml',
    );
  });

  it('reports a missing app.yaml', async () => {
    const out = await check({ 'modules/Sales/domain-model.yaml': '{}\n' });
    expect(out[0]).toMatch(/^app\.yaml: app\.yaml is missing/);
  });

  it('reports twenty errors at once, none hidden by the first', async () => {
    const attrs = Array.from({ length: 20 }, (_, i) => `      A${i}: Money${i}\n`).join('');
    const out = await check({ 'app.yaml': APP, 'modules/Sales/domain-model.yaml': `moduleRoles: [User]\nentities:\n  Order:\n    attributes:\n${attrs}` });
    expect(out.filter((l) => l.includes('unknown attribute type'))).toHaveLength(20);
    expect(out[19]).toMatch(/^modules\/Sales\/domain-model\.yaml:24 entities\.Order\.attributes\.A19: unknown attribute type 'Money19'/);
  });

  it('keeps checking the rest of a file after a schema violation', async () => {
    const out = await check({
      'app.yaml': APP,
      'modules/Sales/domain-model.yaml': 'moduleRoles: [User]\nentities:\n  Order:\n    bogus: 1\n    attributes:\n      Total: Money\n',
    });
    expect(out).toContain("modules/Sales/domain-model.yaml:4 entities.Order.bogus: unknown property 'bogus'");
    expect(out.some((l) => l.includes("unknown attribute type 'Money'"))).toBe(true);
  });

  it('reports duplicate names across documents', async () => {
    const out = await check({
      'app.yaml': APP,
      'modules/Sales/domain-model.yaml': 'moduleRoles: [User]\nentities:\n  Order: {}\nassociations:\n  Order: { parent: Order, child: Order }\n',
      'modules/Sales/microflows/Order.yaml': 'body: []\n',
    });
    expect(out).toContain("modules/Sales/domain-model.yaml:5 associations.Order: duplicate name 'Sales.Order': already used by the entity Sales.Order");
    expect(out.some((l) => l.startsWith('modules/Sales/microflows/Order.yaml') && l.includes("duplicate name 'Sales.Order'"))).toBe(true);
  });

  it('reports duplicate module roles and a unit written twice', async () => {
    const out = await check({
      'app.yaml': APP,
      'modules/Sales/domain-model.yaml': 'moduleRoles: [User, User]\n',
      'modules/Sales/pages/P.yaml': 'title: P\nwidgets: []\n',
      'modules/Sales/pages/P.json': '{"title":"P","widgets":[]}',
    });
    expect(out).toContain("modules/Sales/domain-model.yaml:1 moduleRoles.1: duplicate module role 'User'");
    expect(out.some((l) => l.includes("duplicate page 'Sales.P'"))).toBe(true);
  });

  it('reports unknown entities, enumerations, roles, microflows and pages referenced anywhere', async () => {
    const out = await check({
      'app.yaml': `${APP}navigation: { home: Sales.Nowhere }\n`,
      'modules/Sales/domain-model.yaml': [
        'moduleRoles: [User]',
        'entities:',
        '  Order:',
        '    generalization: Sales.Ghost',
        '    attributes:',
        '      Status: Enumeration(Sales.NoEnum)',
        '    events:',
        '      - { moment: before, event: commit, microflow: Sales.NoFlow }',
        '    access:',
        '      - { roles: [Boss], read: "*" }',
        'associations:',
        '  Order_Customer: { parent: Order, child: Other.Customer }',
      ].join('\n'),
      'modules/Sales/pages/P.yaml':
        'title: P\nallowedRoles: [Nobody]\nwidgets:\n  - button: { caption: Go, action: { page: Sales.Missing } }\n  - button: { caption: Run, action: { microflow: Sales.Gone } }\n',
    });
    expect(out).toEqual(
      expect.arrayContaining([
        "app.yaml:6 navigation.home: unknown page 'Sales.Nowhere'",
        "modules/Sales/domain-model.yaml:4 entities.Order.generalization: unknown entity 'Sales.Ghost' as generalization",
        "modules/Sales/domain-model.yaml:6 entities.Order.attributes.Status: unknown enumeration 'Sales.NoEnum'",
        "modules/Sales/domain-model.yaml:8 entities.Order.events.0.microflow: unknown microflow 'Sales.NoFlow'",
        "modules/Sales/domain-model.yaml:10 entities.Order.access.0.roles.0: unknown module role 'Boss' (module Sales has: User)",
        "modules/Sales/domain-model.yaml:12 associations.Order_Customer.child: unknown entity 'Other.Customer'",
        "modules/Sales/pages/P.yaml:2 allowedRoles.0: unknown module role 'Nobody'",
        "modules/Sales/pages/P.yaml:4 widgets.0.button.action.page: unknown page 'Sales.Missing'",
        "modules/Sales/pages/P.yaml:5 widgets.1.button.action.microflow: unknown microflow 'Sales.Gone'",
      ]),
    );
  });

  it('reports attribute names that clash with system members or with each other', async () => {
    const out = await check({
      'app.yaml': APP,
      'modules/Sales/domain-model.yaml':
        'moduleRoles: [User]\nentities:\n  Order:\n    attributes:\n      changedDate: DateTime\n      Total: Decimal\n      total: Decimal\n',
    });
    expect(out).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^modules\/Sales\/domain-model\.yaml:5 entities\.Order\.attributes\.changedDate: attribute name 'changedDate' clashes with a system member/,
        ),
        "modules/Sales/domain-model.yaml:7 entities.Order.attributes.total: attributes 'Total' and 'total' map to the same column 'total' (names are case-insensitive in the database)",
      ]),
    );
  });

  it('reports generalization cycles', async () => {
    const out = await check({
      'app.yaml': APP,
      'modules/Sales/domain-model.yaml': 'moduleRoles: [User]\nentities:\n  A: { generalization: B }\n  B: { generalization: C }\n  C: { generalization: A }\n',
    });
    expect(out).toContain('modules/Sales/domain-model.yaml:3 entities.A.generalization: generalization cycle: Sales.A -> Sales.B -> Sales.C -> Sales.A');
  });

  it('resolves association ends in other modules by qualified name', async () => {
    const { diagnostics, model } = await loadModel(
      writeApp({
        'app.yaml': 'name: T\nmodules: [Sales, Crm]\n',
        'modules/Sales/domain-model.yaml': 'entities:\n  Order: {}\nassociations:\n  Order_Customer: { parent: Order, child: Crm.Customer }\n',
        'modules/Crm/domain-model.yaml': 'entities:\n  Customer: {}\n',
      }),
    );
    expect(diagnostics).toEqual([]);
    expect(model!.associations.get('Sales.Order_Customer')!.childColumn).toBe('crm$customerid');
  });

  it('reports access rules naming attributes the entity does not have', async () => {
    const out = await check({
      'app.yaml': APP,
      'modules/Sales/domain-model.yaml':
        'moduleRoles: [User]\nentities:\n  Order:\n    attributes: { Total: Decimal }\n    access:\n      - roles: [User]\n        read: [Total, Secret]\n        write: [Ghost]\n',
    });
    expect(out).toEqual(
      expect.arrayContaining([
        "modules/Sales/domain-model.yaml:7 entities.Order.access.0.read.1: unknown attribute or association 'Secret' of Sales.Order",
        "modules/Sales/domain-model.yaml:8 entities.Order.access.0.write.0: unknown attribute or association 'Ghost' of Sales.Order",
      ]),
    );
  });

  it('reports bad defaults, misplaced properties and bad validation rules', async () => {
    const out = await check({
      'app.yaml': APP,
      'modules/Sales/domain-model.yaml': [
        'entities:',
        '  Order:',
        '    attributes:',
        '      Qty: { type: Integer, default: many }',
        '      When: { type: DateTime, default: tomorrow }',
        '      Name: { type: Integer, length: 10 }',
        '    validation:',
        '      - { attribute: Name, regex: { pattern: "([", message: m } }',
        '      - { attribute: Nope, required: m }',
        '      - { attribute: Qty }',
      ].join('\n'),
    });
    expect(out).toEqual(
      expect.arrayContaining([
        'modules/Sales/domain-model.yaml:4 entities.Order.attributes.Qty.default: default "many" is not a 32-bit integer',
        "modules/Sales/domain-model.yaml:5 entities.Order.attributes.When.default: default 'tomorrow' is not a date (yyyy-mm-dd[ hh:mm[:ss]] in UTC or [%CurrentDateTime%])",
        'modules/Sales/domain-model.yaml:6 entities.Order.attributes.Name.length: length applies to String attributes only, not Integer',
        expect.stringMatching(/^modules\/Sales\/domain-model\.yaml:8 entities\.Order\.validation\.0\.regex\.pattern: invalid regular expression/),
        "modules/Sales/domain-model.yaml:9 entities.Order.validation.1.attribute: unknown attribute 'Nope' of Sales.Order",
        'modules/Sales/domain-model.yaml:10 entities.Order.validation.2: a validation rule has exactly one of required, unique, range, regex, maxLength (found none)',
      ]),
    );
  });

  it('refuses generalizing a System entity that cannot be specialized', async () => {
    const out = await check({ 'app.yaml': APP, 'modules/Sales/domain-model.yaml': 'entities:\n  S: { generalization: System.Session }\n' });
    expect(out).toContain(
      'modules/Sales/domain-model.yaml:2 entities.S.generalization: System.Session cannot be generalized (only System.User, System.FileDocument, System.Image can)',
    );
  });

  it('compiles manageable roles into grantable roles and names unknown ones', async () => {
    const app = (manageable: string) =>
      `name: T\nmodules: [Sales]\nsecurity:\n  level: production\n  userRoles: { Admin: [Sales.User, System.Administrator], Clerk: [Sales.User], Guest: [Sales.User] }\n${manageable}`;
    const dm = 'moduleRoles: [User]\n';
    const { model } = await loadModel(writeApp({ 'app.yaml': app('  manageableRoles: { Clerk: [Guest] }\n'), 'modules/Sales/domain-model.yaml': dm }));
    const grantable = (m: typeof model) => Object.fromEntries([...m!.security.userRoles.values()].map((r) => [r.name, r.grantableRoles]));
    expect(grantable(model)).toEqual({ Admin: [], Clerk: ['Guest'], Guest: [] });
    // Without manageableRoles, the role holding System.Administrator manages every role (Mendix's default).
    const { model: byDefault } = await loadModel(writeApp({ 'app.yaml': app(''), 'modules/Sales/domain-model.yaml': dm }));
    expect(grantable(byDefault)).toEqual({ Admin: ['Admin', 'Clerk', 'Guest'], Clerk: [], Guest: [] });
    const out = await check({ 'app.yaml': app('  manageableRoles: { Clerk: [Gest], Nobody: "*" }\n'), 'modules/Sales/domain-model.yaml': dm });
    expect(out.some((l) => l.includes("security.manageableRoles.Clerk.0: unknown user role 'Gest'") && l.includes('Guest'))).toBe(true);
    expect(out.some((l) => l.includes("security.manageableRoles.Nobody: unknown user role 'Nobody'"))).toBe(true);
  });

  it("compiles the System module's entities with Mendix's names and types", async () => {
    const { model } = await loadModel(join(ROOT, 'examples', 'employees'));
    const attrs = (e: string) => Object.fromEntries([...model!.entities.get(e)!.attributes.values()].filter((a) => !a.system).map((a) => [a.name, a.type]));
    expect(attrs('System.TokenInformation')).toEqual({ Token: 'HashedString', ExpiryDate: 'DateTime', UserAgent: 'String' });
    expect(attrs('System.UserReportInfo')).toEqual({ UserType: 'Enumeration', Hash: 'String' });
    expect(model!.entities.get('System.UserReportInfo')!.attributes.get('UserType')!.enumeration).toBe('System.UserType');
    expect(attrs('System.XASInstance')).toMatchObject({
      XASId: 'String',
      LastUpdate: 'DateTime',
      AllowedNumberOfConcurrentUsers: 'Integer',
      PartnerName: 'String',
      CustomerName: 'String',
    });
    expect(attrs('System.Paging')).toEqual({
      PageNumber: 'Long',
      IsSortable: 'Boolean',
      SortAttribute: 'String',
      SortAscending: 'Boolean',
      HasMoreData: 'Boolean',
    });
    expect(model!.entities.get('System.Paging')!.persistable).toBe(false);
    expect(model!.entities.get('System.SoapFault')!.chain).toEqual(['System.SoapFault', 'System.Error']);
    expect(attrs('System.SynchronizationError')).toEqual({ Reason: 'String', ObjectId: 'String', ObjectType: 'String', ObjectContent: 'String' });
    const g = model!.associations.get('System.grantableRoles')!;
    expect([g.type, g.parent, g.child, g.table, g.parentColumn, g.childColumn]).toEqual([
      'ReferenceSet',
      'System.UserRole',
      'System.UserRole',
      'system$grantableroles',
      'system$userroleid1',
      'system$userroleid2',
    ]);
  });
});
