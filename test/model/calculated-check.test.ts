import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { writeApp } from '../support/app-folder.js';

/** `kiln check` for calculated attributes (issue 22): their microflow's signature, and every place that would need a column. */
async function check(files: Record<string, string>): Promise<string[]> {
  const { diagnostics } = await loadModel(writeApp(files), { checks: modelChecks() });
  return diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
}

const APP = 'name: T\nmodules: [Shop]\nsecurity:\n  level: production\n  userRoles: { U: [Shop.User] }\n';
const TOTAL = `parameters: { Line: Shop.Line }
returns: Decimal
body:
  - return: $Line/Quantity * 2
`;

describe('kiln check: calculated attributes', () => {
  it('accepts a calculated attribute whose microflow takes the object and returns its type', async () => {
    const { model, diagnostics } = await loadModel(
      writeApp({
        'app.yaml': APP,
        'modules/Shop/domain-model.yaml': `moduleRoles: [User]
entities:
  Line:
    attributes:
      Quantity: Integer
      Total: { type: Decimal, calculated: Line_Total }
    access:
      - { roles: [User], read: '*', write: '*' }
`,
        'modules/Shop/microflows/Line_Total.yaml': TOTAL,
      }),
      { checks: modelChecks() },
    );
    expect(diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
    const e = model!.entities.get('Shop.Line')!;
    expect(e.attributes.get('Total')!.calculated).toBe('Shop.Line_Total');
    // `write: '*'` leaves it readable only: a calculated value is never written.
    expect(e.access[0]!.members.get('Total')).toBe('Read');
    expect(e.access[0]!.members.get('Quantity')).toBe('ReadWrite');
  });

  it('reports a wrong parameter, a wrong return type and an unknown microflow, located', async () => {
    const out = await check({
      'app.yaml': APP,
      'modules/Shop/domain-model.yaml': `moduleRoles: [User]
entities:
  Line:
    attributes:
      Quantity: Integer
      A: { type: String, calculated: Line_Total }
      B: { type: Decimal, calculated: NoParam }
      C: { type: Decimal, calculated: Nowhere }
  Other:
    attributes:
      D: { type: Decimal, calculated: Line_Total }
`,
      'modules/Shop/microflows/Line_Total.yaml': TOTAL,
      'modules/Shop/microflows/NoParam.yaml': 'returns: Decimal\nbody:\n  - return: "1"\n',
    });
    expect(out).toContain(
      'modules/Shop/domain-model.yaml:6 entities.Line.attributes.A.calculated: Shop.Line_Total calculates Shop.Line.A (String) but returns Decimal',
    );
    expect(out).toContain(
      'modules/Shop/domain-model.yaml:7 entities.Line.attributes.B.calculated: Shop.NoParam calculates Shop.Line.B: it must take one parameter of type Shop.Line (or a generalization)',
    );
    expect(out).toContain(
      "modules/Shop/domain-model.yaml:8 entities.Line.attributes.C.calculated: unknown microflow 'Shop.Nowhere' for calculated attribute 'C'",
    );
    expect(out).toContain(
      'modules/Shop/domain-model.yaml:11 entities.Other.attributes.D.calculated: Shop.Line_Total calculates Shop.Other.D: it must take one parameter of type Shop.Other (or a generalization)',
    );
  });

  it('refuses it in XPath, sorting, indexes, validation, writable access, defaults and microflow changes', async () => {
    const out = await check({
      'app.yaml': APP,
      'modules/Shop/domain-model.yaml': `moduleRoles: [User]
entities:
  Line:
    attributes:
      Quantity: Integer
      Total: { type: Decimal, calculated: Line_Total, default: 1 }
      Number: { type: AutoNumber, calculated: Line_Total }
    validation:
      - { attribute: Total, required: Total is required }
    indexes:
      - attributes: [Total]
    access:
      - { roles: [User], read: '*', write: [Total], xpath: '[Total > 1]' }
`,
      'modules/Shop/microflows/Line_Total.yaml': TOTAL,
      'modules/Shop/microflows/Line_Set.yaml': `parameters: { Line: Shop.Line }
body:
  - change: { object: $Line, set: { Total: "5" } }
  - retrieve: { from: Shop.Line, xpath: "[Total > 3]", into: Big }
  - retrieve: { from: Shop.Line, sort: [Total], into: Sorted }
`,
      'modules/Shop/pages/Lines.yaml': `title: Lines
allowedRoles: [User]
widgets:
  - dataGrid:
      name: g
      source: { xpath: '//Shop.Line', sort: [Total] }
      columns: [Quantity, Total]
      search: [Total]
`,
    });
    const has = (s: string) =>
      expect(
        out.some((l) => l.includes(s)),
        `${s}\n${out.join('\n')}`,
      ).toBe(true);
    has("entities.Line.attributes.Total.default: calculated attribute 'Total' has no default");
    has('entities.Line.attributes.Number.calculated: AutoNumber attributes cannot be calculated');
    has("entities.Line.validation.0.attribute: calculated attribute 'Total' cannot have validation rules");
    has("entities.Line.indexes.0.attributes.0: calculated attribute 'Total' has no column to index");
    has("entities.Line.access.0.write.0: 'Total' is calculated by Shop.Line_Total and cannot be writable");
    has(
      "access rule of Shop.Line: XPath error at column 2: attribute 'Total' of Shop.Line is calculated (by Shop.Line_Total): it cannot be used in XPath or sorting",
    );
    has('Total is calculated by Shop.Line_Total and cannot be set');
    has('modules/Shop/microflows/Line_Set.yaml:4');
    has('modules/Shop/pages/Lines.yaml');
    expect(out.filter((l) => l.includes("'Total' of Shop.Line is calculated")).length).toBeGreaterThanOrEqual(4);
  });
});
