import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { buildRegistry, registryCheck, writeOperationsFile } from '../../src/client-api/registry/index.js';
import { writeApp } from '../support/app-folder.js';
import { ROOT } from '../support/cli.js';

async function model(name: string) {
  const { model, diagnostics } = await loadModel(join(ROOT, 'examples', name), { checks: [registryCheck] });
  expect(diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
  return model!;
}

describe('operations registry', () => {
  it("derives the seeds' operations from the employees pages", async () => {
    const reg = buildRegistry(await model('employees'));
    const grid = reg.forWidget('MyFirstModule.Employee_Overview', 'dataGrid2_1')!;
    expect(grid.type).toBe('retrieve');
    expect(grid.id).toMatch(/^[A-Za-z0-9+/]{22}$/);
    expect(grid.constants).toEqual({
      UsedAttributes: [
        'MyFirstModule.Employee/MyFirstModule.Employee.Firstname',
        'MyFirstModule.Employee/MyFirstModule.Employee.Lastname',
        'MyFirstModule.Employee/MyFirstModule.Employee.Jobtitle',
        'MyFirstModule.Employee/MyFirstModule.Employee.Department',
        'MyFirstModule.Employee/MyFirstModule.Employee.DateOfBirth',
      ],
      XPath: '//MyFirstModule.Employee',
      UsedAssociations: [],
      PageName: 'MyFirstModule.Employee_Overview',
      WidgetName: 'MyFirstModule.Employee_Overview.dataGrid2_1',
    });
    expect(grid.parameters).toEqual({});
    const create = reg.forButton('MyFirstModule.Employee_Overview', 'dataGrid2_1', 0)!;
    expect([create.type, create.constants, create.parameters]).toEqual(['create', { ObjectType: 'MyFirstModule.Employee' }, {}]);
    expect(reg.forButton('MyFirstModule.Employee_Overview', 'dataGrid2_1', 1)).toBeUndefined(); // open: client only
    const del = reg.forButton('MyFirstModule.Employee_Overview', 'dataGrid2_1', 2)!;
    expect([del.type, del.constants, del.parameters]).toEqual(['delete', {}, { Objects: ['[MyFirstModule.Employee]'] }]);
    const save = reg.forButton('MyFirstModule.Employee_NewEdit', 'dataView1', 0)!;
    expect([save.type, save.constants, save.parameters]).toEqual(['commit', {}, { Objects: ['AnyObjectList'] }]);
    const cancel = reg.forPath('MyFirstModule.Employee_NewEdit', 'widgets/0/dataView/buttons/1')!;
    expect([cancel.type, cancel.parameters]).toEqual(['rollback', { Objects: ['AnyObjectList'] }]);
    const mf = reg.forMicroflow('MyFirstModule.GetAllEmployees')!;
    expect([mf.type, mf.constants, mf.parameters]).toEqual(['callMicroflow', { MicroflowName: 'MyFirstModule.GetAllEmployees' }, {}]);
    expect(reg.forWidget('MyFirstModule.Employee_Overview', 'allEmployeesGrid')).toBe(mf);
    expect(grid.allowedRoles).toEqual(['MyFirstModule.User', 'MyFirstModule.Admin']);
    expect(reg.get(grid.id)).toBe(grid);
    expect(reg.get('reyg/iaSXkaXmyztuaHbsA')).toBeUndefined();
  });

  it('gives the same ids on every build and distinct ids to distinct operations', async () => {
    const a = buildRegistry(await model('sales'));
    const b = buildRegistry(await model('sales'));
    expect(a.operations.map((o) => o.id)).toEqual(b.operations.map((o) => o.id));
    expect(new Set(a.operations.map((o) => o.id)).size).toBe(a.operations.length);
  });

  it('records references shown over associations and the roles of called microflows', async () => {
    const reg = buildRegistry(await model('sales'));
    const grid = reg.forWidget('Sales.Order_Overview', 'ordersGrid')!;
    expect(grid.constants.UsedAssociations).toEqual(['Sales.Order_Customer']);
    expect(grid.constants.UsedAttributes).toContain('Sales.Order/Sales.Order_Customer/Sales.Customer/Sales.Customer.CompanyName');
    const customers = reg.forWidget('Sales.Customer_Overview', 'customersGrid')!;
    expect(customers.constants.UsedAttributes).toContain('Sales.Customer/Administration.Account.FullName');
    expect(customers.allowedUserRoleSets).toEqual([['Administrator'], ['SalesManager']]);
    const confirm = reg.forButton('Sales.Order_Overview', 'ordersGrid', 2)!;
    expect([confirm.type, confirm.parameters]).toEqual(['callMicroflow', { Order: ['Sales.Order'] }]);
  });

  it('writes model/operations.json in the shape of real deployments', async () => {
    const reg = buildRegistry(await model('employees'));
    const dir = mkdtempSync(join(tmpdir(), 'kiln-ops-'));
    const file = await writeOperationsFile(reg, dir);
    expect(file).toBe(join(dir, 'model', 'operations.json'));
    const entries = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
    expect(entries).toHaveLength(reg.operations.length);
    for (const e of entries) expect(Object.keys(e)).toEqual(['operationId', 'operationType', 'parameters', 'constants', 'allowedUserRoleSets']);
    const commit = entries.find((e) => e.operationType === 'commit')!;
    expect(commit).toMatchObject({ parameters: { Objects: ['AnyObjectList'] }, constants: {}, allowedUserRoleSets: [['Administrator'], ['User']] });
  });

  it('reports widgets that use what the model does not have, at their location', async () => {
    const dir = writeApp({
      'app.yaml': 'name: T\nmodules: [M]\nsecurity:\n  level: production\n  userRoles: { U: [M.User] }\n',
      'modules/M/domain-model.yaml': 'moduleRoles: [User]\nentities:\n  E:\n    attributes: { A: String }\n',
      'modules/M/pages/P.yaml': [
        'title: P',
        'allowedRoles: [User]',
        'widgets:',
        '  - dataGrid:',
        '      name: g',
        '      source: { xpath: //M.E, sort: [Nope] }',
        '      columns: [A, B]',
        '      buttons:',
        '        - { caption: X, action: frobnicate }',
      ].join('\n'),
    });
    const { diagnostics } = await loadModel(dir, { checks: [registryCheck] });
    const msgs = diagnostics.map(formatDiagnostic);
    expect(msgs).toContain("modules/M/pages/P.yaml:6 widgets.0.dataGrid.source.sort.0: unknown attribute 'Nope' of M.E");
    expect(msgs).toContain("modules/M/pages/P.yaml:7 widgets.0.dataGrid.columns.1: unknown attribute 'B' of M.E");
    expect(msgs.some((m) => m.includes('buttons.0.action: unknown button action "frobnicate"'))).toBe(true);
  });
});
