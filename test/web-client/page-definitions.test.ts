import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { buildRegistry, registryCheck } from '../../src/client-api/registry/index.js';
import { userContextFor } from '../../src/security/contexts.js';
import { buildClientPage } from '../../src/web-client/build-page.js';
import { buildNavigation } from '../../src/web-client/navigation.js';
import { ConditionTable } from '../../src/web-client/conditions.js';
import type { ClientDataGrid, ClientDataView, ClientReferenceSelector, ClientTabContainer } from '../../src/web-client/page-definition.js';
import { ROOT } from '../support/cli.js';

async function load(name: string) {
  const { model, diagnostics } = await loadModel(join(ROOT, 'examples', name), { checks: [registryCheck] });
  expect(diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
  return { model: model!, registry: buildRegistry(model!) };
}

const user = (model: Parameters<typeof userContextFor>[0], roles: string[], name = 'someone') =>
  userContextFor(model, { userId: 1n, userName: name, userEntity: 'System.User', userRoles: roles, anonymous: false, sessionId: 's', sessionObjectId: 2n });

describe('page definitions sent to the browser', () => {
  it('gives the employees overview its operations, columns, search and buttons', async () => {
    const { model, registry } = await load('employees');
    const page = buildClientPage(model, registry, model.pages.get('MyFirstModule.Employee_Overview')!, user(model, ['Administrator']));
    const grid = page.widgets[0] as ClientDataGrid;
    expect(grid.type).toBe('dataGrid');
    expect(grid.source).toEqual({
      kind: 'database',
      operationId: registry.forWidget('MyFirstModule.Employee_Overview', 'dataGrid2_1')!.id,
      sort: [['Firstname', 'asc']],
    });
    expect(grid.columns.map((c) => [c.attribute, c.caption, c.type])).toEqual([
      ['Firstname', 'Firstname', 'String'],
      ['Lastname', 'Lastname', 'String'],
      ['Jobtitle', 'Jobtitle', 'String'],
      ['Department', 'Department', 'String'],
      ['DateOfBirth', 'Date of birth', 'DateTime'],
    ]);
    expect(grid.search).toEqual(['Firstname', 'Lastname', 'Jobtitle', 'Department']);
    expect(grid.buttons.map((b) => [b.caption, b.action.kind])).toEqual([
      ['New', 'create'],
      ['Edit', 'open'],
      ['Delete', 'delete'],
    ]);
    const create = grid.buttons[0]!.action;
    expect(create).toMatchObject({ kind: 'create', entity: 'MyFirstModule.Employee', page: 'MyFirstModule.Employee_NewEdit' });
    const mfGrid = page.widgets[1] as ClientDataGrid;
    expect(mfGrid.source).toMatchObject({ kind: 'microflow', microflow: 'MyFirstModule.GetAllEmployees' });
    expect(page.entities['MyFirstModule.Employee']!.attributes.DateOfBirth).toMatchObject({ type: 'DateTime', localize: false, writable: true });
  });

  it('leaves out what a role may not do: a User cannot delete employees nor write Department', async () => {
    const { model, registry } = await load('employees');
    const u = user(model, ['User']);
    const grid = buildClientPage(model, registry, model.pages.get('MyFirstModule.Employee_Overview')!, u).widgets[0] as ClientDataGrid;
    expect(grid.buttons.map((b) => b.caption)).toEqual(['New', 'Edit']);
    const edit = buildClientPage(model, registry, model.pages.get('MyFirstModule.Employee_NewEdit')!, u);
    const view = edit.widgets[0] as ClientDataView;
    expect(edit.popup).toBe(true);
    expect(edit.parameters).toEqual({ Employee: 'MyFirstModule.Employee' });
    expect(view.widgets.map((w) => ('attribute' in w ? [w.attribute, 'readOnly' in w && w.readOnly] : null))).toEqual([
      ['Firstname', false],
      ['Lastname', false],
      ['Jobtitle', false],
      ['Department', true],
      ['DateOfBirth', true],
    ]);
    expect(view.buttons.map((b) => b.action.kind)).toEqual(['save', 'cancel']);
    expect(edit.entities['MyFirstModule.Employee']!.attributes.Lastname!.required).toBe(true);
  });

  it('never sends a customer the attributes they cannot read (Order.InternalNote)', async () => {
    const { model, registry } = await load('sales');
    const customer = user(model, ['Customer'], 'c1');
    for (const name of ['Sales.Order_Overview', 'Sales.Order_Edit']) {
      const page = buildClientPage(model, registry, model.pages.get(name)!, customer);
      const text = JSON.stringify(page);
      expect(text).not.toContain('InternalNote');
      expect(text).not.toContain('Internal note');
    }
    const grid = buildClientPage(model, registry, model.pages.get('Sales.Order_Overview')!, customer).widgets[0] as ClientDataGrid;
    expect(grid.columns.map((c) => c.attribute)).toEqual(['Number', 'OrderDate', 'Status', 'Total', 'Sales.Order_Customer/Sales.Customer/CompanyName']);
    // The column over the order's customer sorts: the customer reads the association and the company name on every object.
    expect(grid.columns[4]).toMatchObject({ type: 'String', sortable: true });
    // A customer may create and confirm orders, not delete them.
    expect(grid.buttons.map((b) => b.caption)).toEqual(['New', 'Edit', 'Confirm']);
    const manager = buildClientPage(model, registry, model.pages.get('Sales.Order_Overview')!, user(model, ['SalesManager']));
    expect(JSON.stringify(manager)).toContain('InternalNote');
    expect((manager.widgets[0] as ClientDataGrid).buttons.map((b) => b.caption)).toEqual(['New', 'Edit', 'Confirm', 'Delete']);
    const edit = buildClientPage(model, registry, model.pages.get('Sales.Order_Edit')!, customer, ConditionTable.compile(model, []));
    const view = edit.widgets[0] as ClientDataView;
    // The order page's inputs sit in its first tab; the Notes tab (Manager only) is left out for a customer.
    const tabs = view.widgets[0] as ClientTabContainer;
    expect(tabs.tabs.map((t) => t.caption)).toEqual(['General', 'Summary']);
    expect(tabs.tabs[0]!.widgets.map((w) => w.type)).toEqual(['datePicker', 'dropDown', 'numberInput', 'staticText', 'referenceSelector']);
    expect(edit.entities['Sales.Order']!.attributes.Status!.values!.map((v) => v.key)).toEqual(['Draft', 'Confirmed', 'Shipped', 'Cancelled']);
  });

  it('gives a reference selector the retrieve of the objects to choose from', async () => {
    const { model, registry } = await load('sales');
    const edit = buildClientPage(model, registry, model.pages.get('Sales.Order_Edit')!, user(model, ['Customer'], 'c1'));
    const general = ((edit.widgets[0] as ClientDataView).widgets[0] as ClientTabContainer).tabs[0]!;
    const selector = general.widgets.find((w) => w.type === 'referenceSelector') as ClientReferenceSelector;
    expect(selector).toMatchObject({ association: 'Sales.Order_Customer', target: 'Sales.Customer', displayAttribute: 'CompanyName', readOnly: false });
    const op = registry.operations.find((o) => o.id === selector.optionsOperationId);
    expect(op).toMatchObject({
      type: 'retrieve',
      entity: 'Sales.Customer',
      xpath: '//Sales.Customer',
      attributes: ['CompanyName'],
      constants: { WidgetName: 'Sales.Order_Edit.Sales.Order_Customer' },
    });
  });

  it('builds the menu and home page per role', async () => {
    const { model } = await load('sales');
    const customerNav = buildNavigation(model, user(model, ['Customer'], 'c1'));
    expect(customerNav.menu.map((m) => m.caption)).toEqual(['Orders', 'Products']);
    expect(customerNav.home).toBe('Sales.Order_Overview');
    expect(customerNav.userName).toBe('c1');
    const adminNav = buildNavigation(model, user(model, ['Administrator'], 'MxAdmin'));
    expect(adminNav.menu.map((m) => m.caption)).toEqual(['Orders', 'Customers', 'Order lines', 'Products']);
    expect(adminNav.home).toBe('Sales.Customer_Overview');
  });
});
