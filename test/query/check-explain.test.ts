import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { writeApp } from '../support/app-folder.js';
import { runKiln } from '../support/cli.js';

const APP = 'name: T\nmodules: [Sales]\nsecurity:\n  level: production\n  userRoles: { U: [Sales.User] }\n';
const DM = `moduleRoles: [User]
entities:
  Order:
    attributes:
      Total: Decimal
      Name: String
    access:
      - roles: [User]
        read: "*"
        xpath: "[Total > 1 and Nme = 'x']"
`;

describe('kiln check: XPath', () => {
  it('reports an access rule XPath error at its line and column', async () => {
    const { diagnostics } = await loadModel(writeApp({ 'app.yaml': APP, 'modules/Sales/domain-model.yaml': DM }), { checks: modelChecks() });
    const out = diagnostics.map(formatDiagnostic);
    // Line 10; the value starts at column 17 (after `xpath: "`), 'Nme' is at offset 15 in it.
    expect(out).toEqual([
      "modules/Sales/domain-model.yaml:10:32 entities.Order.access.0.xpath: access rule of Sales.Order: XPath error at column 16: unknown attribute 'Nme' of Sales.Order (did you mean 'Name'?)",
    ]);
  });

  it('reports a page data source error', async () => {
    const page = 'title: P\nwidgets:\n  - dataGrid:\n      name: g\n      source: { xpath: "//Sales.Order[Total >]", sort: [Total] }\n      columns: [Total]\n';
    const { diagnostics } = await loadModel(writeApp({ 'app.yaml': APP, 'modules/Sales/domain-model.yaml': DM, 'modules/Sales/pages/P.yaml': page }), {
      checks: modelChecks(),
    });
    const out = diagnostics.map(formatDiagnostic).filter((l) => l.includes('P.yaml'));
    expect(out).toEqual([
      "modules/Sales/pages/P.yaml:5:46 widgets.0.dataGrid.source.xpath: data source of Sales.P: XPath syntax error at column 22: expected an attribute, a path, a value or a function, found ']'",
    ]);
  });

  it('kiln check names file, line and column for bad syntax, an unknown attribute and a wrong type', async () => {
    const dir = writeApp({
      'app.yaml': APP,
      'modules/Sales/domain-model.yaml': DM.replace('xpath: "[Total > 1 and Nme = \'x\']"', 'xpath: "[Total > 1 and (Name = \'x\']"'),
      'modules/Sales/pages/P.yaml':
        'title: P\nwidgets:\n  - dataGrid:\n      name: g\n      source: { xpath: "//Sales.Order[Totl > 1]" }\n      columns: [Total]\n',
      'modules/Sales/microflows/Big.yaml':
        'allowedRoles: [User]\nreturns: List of Sales.Order\nbody:\n  - retrieve: { from: Sales.Order, xpath: "[Total > \'abc\']", into: Orders }\n  - return: $Orders\n',
    });
    const r = await runKiln(['check', dir]);
    expect(r.code).toBe(1);
    const lines = (r.stdout + r.stderr)
      .split('\n')
      .filter((l) => l.startsWith('modules/'))
      .sort();
    expect(lines).toEqual([
      // The value starts at column 17: the XPath's column 27 is the file's column 43.
      "modules/Sales/domain-model.yaml:10:43 entities.Order.access.0.xpath: access rule of Sales.Order: XPath syntax error at column 27: expected ')', found ']'",
      "modules/Sales/microflows/Big.yaml:4:53 body.0.retrieve.xpath: XPath: 'abc' is not a decimal number",
      "modules/Sales/pages/P.yaml:5:39 widgets.0.dataGrid.source.xpath: data source of Sales.P: XPath error at column 15: unknown attribute 'Totl' of Sales.Order (did you mean 'Total'?)",
    ]);
  });

  it('points into an XPath written over several lines', async () => {
    const dm = DM.replace('        xpath: "[Total > 1 and Nme = \'x\']"\n', "        xpath: >-\n          [Total > 1\n          and Nme = 'x']\n");
    const { diagnostics } = await loadModel(writeApp({ 'app.yaml': APP, 'modules/Sales/domain-model.yaml': dm }), { checks: modelChecks() });
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      "modules/Sales/domain-model.yaml:12:15 entities.Order.access.0.xpath: access rule of Sales.Order: XPath error at column 16: unknown attribute 'Nme' of Sales.Order (did you mean 'Name'?)",
    ]);
  });

  it('passes the examples', async () => {
    const { ROOT } = await import('../support/cli.js');
    for (const ex of ['employees', 'sales']) {
      const { diagnostics } = await loadModel(`${ROOT}/examples/${ex}`, { checks: modelChecks() });
      expect(diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
    }
  });
});

describe('kiln explain', () => {
  it('prints the OQL and SQL for a role and a database', async () => {
    const r = await runKiln([
      'explain',
      'examples/sales',
      '//Sales.OrderLine[Quantity > 1]',
      '--role',
      'Customer',
      '--db',
      'postgres',
      '--amount',
      '20',
      '--count',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('-- user role Customer');
    expect(r.stdout).toContain('EXISTS (FROM OrderLine/Sales.OrderLine_Order/Sales.Order AS');
    expect(r.stdout).toContain('"sales$orderline"."quantity" > $1 AND EXISTS (SELECT 1 FROM "sales$orderline_order"');
    expect(r.stdout).toContain('LIMIT 20;\nSELECT COUNT(*) FROM "sales$orderline" WHERE');
  });

  it('points at an XPath error', async () => {
    const r = await runKiln(['explain', 'examples/sales', '//Sales.Order[Totl > 1]']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("//Sales.Order[Totl > 1]\n              ^\nXPath error at column 15: unknown attribute 'Totl' of Sales.Order\n");
  });

  it('rejects an unknown role', async () => {
    const r = await runKiln(['explain', 'examples/sales', '//Sales.Order', '--role', 'Nobody']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unknown user role 'Nobody' (the app has: Administrator, SalesManager, Customer)");
  });
});
