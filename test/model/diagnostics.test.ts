import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelChecks } from '../../src/app/model-checks.js';
import { closestName } from '../../src/model/check/suggest.js';
import { renderDiagnostic } from '../../src/model/diagnostic-render.js';
import { type Diagnostic, formatDiagnostic, loadModel } from '../../src/model/index.js';
import { ROOT, runKiln } from '../support/cli.js';

const MF = 'modules/MyFirstModule';

/** A copy of examples/employees with one file edited. */
function employeesWith(file: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-employees-'));
  cpSync(join(ROOT, 'examples', 'employees'), dir, { recursive: true });
  const before = readFileSync(join(dir, file), 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`the edit of ${file} changed nothing`);
  writeFileSync(join(dir, file), after);
  return dir;
}

async function check(dir: string): Promise<Diagnostic[]> {
  return [...(await loadModel(dir, { checks: modelChecks() })).diagnostics];
}

describe('diagnostics: one mistake, one error', () => {
  it('a misspelt attribute type: the attribute still exists, so its uses do not error; String is suggested', async () => {
    const dir = employeesWith(`${MF}/domain-model.yaml`, (t) => t.replace('type: String, length: 200', 'type: Strin, length: 200'));
    const ds = await check(dir);
    expect(ds.map(formatDiagnostic)).toEqual([
      `${MF}/domain-model.yaml:8 entities.Employee.attributes.Firstname.type: unknown attribute type 'Strin' (expected one of String, Integer, Long, Decimal, Boolean, DateTime, Enumeration, AutoNumber, Binary, HashedString) (did you mean 'String'?)`,
    ]);
    expect(ds[0]).toMatchObject({
      code: 'unknown-attribute-type',
      suggestion: 'String',
      range: { start: { line: 8, column: 28 }, end: { line: 8, column: 33 } },
    });
  });

  it('an attribute cut by the schema check is not unknown where it is used', async () => {
    const dir = employeesWith(`${MF}/domain-model.yaml`, (t) => t.replace('Jobtitle:    String', 'Jobtitle:    42'));
    const ds = await check(dir);
    expect(ds).toHaveLength(1);
    expect(ds[0]!.code).toMatch(/^schema-/);
  });

  it('a duplicate key keeps the file: one error at the duplicate, the first definition as related location', async () => {
    const dir = employeesWith(`${MF}/domain-model.yaml`, (t) => `${t}moduleRoles: [User]\n`);
    const ds = await check(dir);
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({
      code: 'duplicate-key',
      file: `${MF}/domain-model.yaml`,
      line: 27,
      related: [{ file: `${MF}/domain-model.yaml`, line: 2, message: "'moduleRoles' first defined here" }],
    });
  });

  it('a misspelt entity in a retrieve: once, with a suggestion, and no "unknown variable" after it', async () => {
    const dir = employeesWith(`${MF}/microflows/GetAllEmployees.yaml`, (t) => t.replace('from: MyFirstModule.Employee', 'from: MyFirstModule.Employe'));
    const ds = await check(dir);
    expect(ds.map(formatDiagnostic)).toEqual([
      `${MF}/microflows/GetAllEmployees.yaml:5 body.0.retrieve.from: unknown entity 'MyFirstModule.Employe' (did you mean 'MyFirstModule.Employee'?)`,
    ]);
  });

  it('a misspelt attribute on a page suggests the attribute', async () => {
    const dir = employeesWith(`${MF}/pages/Employee_NewEdit.yaml`, (t) => t.replace('attribute: Firstname', 'attribute: Firstnme'));
    const ds = await check(dir);
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ code: 'unknown-attribute', suggestion: 'Firstname' });
  });

  it('a misspelt module role suggests the role, in the form it was written', async () => {
    const dir = employeesWith('app.yaml', (t) => t.replace('User: [MyFirstModule.User', 'User: [MyFirstModule.Usr'));
    const ds = await check(dir);
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ code: 'unknown-module-role', suggestion: 'MyFirstModule.User' });
    const dir2 = employeesWith(`${MF}/pages/Employee_Overview.yaml`, (t) => t.replace('allowedRoles: [User, Admin]', 'allowedRoles: [Usr, Admin]'));
    expect((await check(dir2)).map((d) => d.suggestion)).toEqual(['User']);
  });

  it('orders root causes first: a file that does not parse before the errors of the others', async () => {
    const dir = employeesWith(`${MF}/pages/Employee_Overview.yaml`, (t) => `${t}  bad: [\n`);
    const dir2 = employeesWith('app.yaml', (t) => t.replace('User: [MyFirstModule.User', 'User: [MyFirstModule.Usr'));
    cpSync(join(dir, MF, 'pages/Employee_Overview.yaml'), join(dir2, MF, 'pages/Employee_Overview.yaml'));
    const ds = await check(dir2);
    expect(ds[0]!.code).toBe('yaml-syntax');
    expect(ds.some((d) => d.file === 'app.yaml')).toBe(true);
  });

  it('suggests by edit distance, and not when nothing is close', () => {
    expect(closestName('Strin', ['String', 'Integer'])).toBe('String');
    expect(closestName('Employe', ['Employee', 'Account'])).toBe('Employee');
    expect(closestName('Usr', ['User', 'Admin'])).toBe('User');
    expect(closestName('Money', ['String', 'Integer', 'Decimal'])).toBeUndefined();
  });
});

describe('diagnostics: rendering', () => {
  const d: Diagnostic = {
    severity: 'error',
    file: 'a.yaml',
    line: 2,
    path: 'x',
    message: "unknown attribute type 'Strin'",
    code: 'unknown-attribute-type',
    range: { start: { line: 2, column: 5 }, end: { line: 2, column: 10 } },
    suggestion: 'String',
  };
  it('prints a code frame with a caret under the offending text', () => {
    const text = renderDiagnostic(d, () => 'x:\n  - Strin\n', false);
    expect(text.split('\n')).toEqual([
      "a.yaml:2 x: unknown attribute type 'Strin' (did you mean 'String'?)",
      '2 |   - Strin',
      "  |     ^^^^^ did you mean 'String'?",
    ]);
  });
  it('colours only when asked', () => {
    expect(renderDiagnostic(d, () => 'x:\n  - Strin\n', true)).toContain('\u001b[31m');
  });
});

describe('kiln check --format', () => {
  it('json: diagnostics as data, exit 1 on errors', async () => {
    const dir = employeesWith(`${MF}/pages/Employee_NewEdit.yaml`, (t) => t.replace('attribute: Firstname', 'attribute: Firstnme'));
    const r = await runKiln(['check', dir, '--format', 'json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.errors).toBe(1);
    expect(out.diagnostics[0]).toMatchObject({
      severity: 'error',
      file: `${MF}/pages/Employee_NewEdit.yaml`,
      line: 11,
      code: 'unknown-attribute',
      suggestion: 'Firstname',
      range: { start: { line: 11, column: 33 } },
    });
  });

  it('json on a valid app: the summary counts only the app entities', async () => {
    const r = await runKiln(['check', 'examples/employees', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ app: 'Employees', entities: 1, errors: 0, diagnostics: [] });
  });

  it('github: workflow annotations', async () => {
    const dir = employeesWith(`${MF}/domain-model.yaml`, (t) => t.replace('type: String, length: 200', 'type: Strin, length: 200'));
    const r = await runKiln(['check', dir, '--format', 'github']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^::error file=.*domain-model\.yaml,line=8,col=28,endLine=8,endColumn=33,title=unknown-attribute-type::.*did you mean 'String'\?\)$/m,
    );
  });

  it('text: a code frame, no colour through a pipe or with NO_COLOR', async () => {
    const dir = employeesWith(`${MF}/domain-model.yaml`, (t) => t.replace('type: String, length: 200', 'type: Strin, length: 200'));
    const r = await runKiln(['check', dir], { NO_COLOR: '1', FORCE_COLOR: '1' });
    expect(r.stdout).toContain("  |                            ^^^^^ did you mean 'String'?");
    expect(r.stdout).not.toContain('\u001b[');
  });
});

describe('strict page checking', () => {
  it('a misspelt widget or widget property is an error with a suggestion, nothing more', async () => {
    const dir = employeesWith(`${MF}/pages/Employee_NewEdit.yaml`, (t) =>
      t
        .replace('textBox: { attribute: Lastname, label', 'textbox: { attribute: Lastname, label')
        .replace('attribute: Jobtitle, label:', 'attribute: Jobtitle, lable:'),
    );
    const ds = await check(dir);
    expect(ds.map((d) => [d.line, d.path, d.code, d.suggestion])).toEqual([
      [12, 'widgets.0.dataView.widgets.1.textbox', 'schema-unknown-property', 'textBox'],
      [13, 'widgets.0.dataView.widgets.2.textBox.lable', 'schema-unknown-property', 'label'],
    ]);
    expect(ds[0]!.range!.start.column).toBe(11); // at the key
  });

  it('inside unions (data sources, button actions) the closest form names the unknown key', async () => {
    const dir = employeesWith(`${MF}/pages/Employee_Overview.yaml`, (t) =>
      t
        .replace('      pageSize: 20\n      search', '      pagesize: 20\n      search')
        .replace('sort: [Firstname]', 'sort: [Firstname], srot: 1')
        .replace('action: { open:', 'action: { opn:'),
    );
    const ds = await check(dir);
    expect(ds.map((d) => [d.path, d.suggestion])).toEqual([
      ['widgets.0.dataGrid.source.srot', 'sort'],
      ['widgets.0.dataGrid.pagesize', 'pageSize'],
      ['widgets.0.dataGrid.buttons.1.action.opn', 'open'],
    ]);
  });

  it('the examples use only known widgets and properties', async () => {
    for (const app of ['examples/employees', 'examples/sales', 'test/e2e/gallery']) {
      const { diagnostics } = await loadModel(join(ROOT, app), { checks: modelChecks() });
      expect(diagnostics.map(formatDiagnostic)).toEqual([]);
    }
  });
});
