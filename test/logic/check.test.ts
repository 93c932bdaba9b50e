import { describe, expect, it } from 'vitest';
import { runKiln } from '../support/cli.js';
import { writeApp } from '../support/app-folder.js';
import { appFiles, compileShop } from './harness.js';

/** `kiln check` reports microflow and expression problems at the line and the column inside the expression. */
const BROKEN: Record<string, string> = {
  Broken: `parameters: { Item: Shop.Item, N: Integer }
returns: String
body:
  - createVariable: { name: Total, type: Decimal, value: "$N * $Item/Prise" }
  - decision:
      if: "$N + 1"
      then: [ { return: "'x'" } ]
  - change: { object: $Item, set: { Qty: "'many'", Seq: 1 } }
  - retrieve: { from: Shop.Item, xpath: "[Qty > $N and Nme = 'x']", into: Items }
  - loop: { over: $Items, as: It, body: [ { break: true } ] }
  - break: true
  - call: { microflow: Shop.Nothing, with: { X: 1 } }
  - listOperation: { operation: find, list: $Items, attribute: Name, value: 3, into: F }
  - return: "if $N > 1 then 'a'"`,
  NoReturn: `returns: Integer
body:
  - createVariable: { name: A, type: Integer, value: 1 }
  - changeVariable: { name: Nope, value: 1 }`,
};

describe('kiln check on microflows', () => {
  it('reports each problem with its exact position', async () => {
    const { model, problems } = await compileShop(BROKEN);
    expect(model).toBeUndefined();
    const f = 'modules/Shop/microflows/Broken.yaml';
    // Columns point at the offending token inside the expression (Prise, 'many', Nme) or at the value.
    expect(problems).toEqual(
      expect.arrayContaining([
        `${f}:4:70 body.0.createVariable.value: initial value: entity Shop.Item has no attribute 'Prise'`,
        `${f}:6:12 body.1.decision.if: condition: expected Boolean, but the expression is Integer`,
        `${f}:8:43 body.2.change.set.Qty: value of Qty: expected Integer, but the expression is String`,
        `${f}:8 body.2.change.set.Seq: entity Shop.Item has no attribute 'Seq'`,
        `${f}:9:56 body.3.retrieve.xpath: XPath: unknown attribute 'Nme' of Shop.Item (did you mean 'Name'?)`,
        `${f}:11 body.5.break: break is only allowed inside a loop`,
        `${f}:12 body.6.call.microflow: unknown microflow 'Shop.Nothing'`,
        `${f}:13:77 body.7.listOperation.value: value: expected String, but the expression is Integer`,
        `${f}:14:32 body.8.return: return value: 'if … then …' needs an 'else' branch`,
      ]),
    );
    expect(problems.filter((p) => p.includes('Shop.Nothing'))).toHaveLength(1);
    expect(problems).toEqual(
      expect.arrayContaining([
        'modules/Shop/microflows/NoReturn.yaml:4 body.1.changeVariable.name: unknown variable $Nope',
        'modules/Shop/microflows/NoReturn.yaml:3 body: the microflow returns Integer: every path must end with a return (or an error)',
      ]),
    );
  });

  it('finds the column in multi-line, folded and escaped expressions', async () => {
    const { problems } = await compileShop({
      Multi: `returns: String
body:
  - return: >-
      'a' + 'b'
      + $Folded
  - return: |
      'x' +
        $Literal
  - return: "'q' +\\n $Escaped"
  - return: 'toUpperCase(''it'') + $Single'
  - return: length('a') +
      $Plain
  - retrieve: { from: Shop.Item, xpath: "[Qty > 1 and\\n Nme = 'x']", into: L }
`,
    });
    const f = 'modules/Shop/microflows/Multi.yaml';
    expect(problems).toEqual(
      expect.arrayContaining([
        `${f}:5:9 body.0.return: return value: unknown variable $Folded`,
        `${f}:8:9 body.1.return: return value: unknown variable $Literal`,
        `${f}:9:22 body.2.return: return value: unknown variable $Escaped`,
        `${f}:10:36 body.3.return: return value: unknown variable $Single`,
        `${f}:12:7 body.4.return: return value: unknown variable $Plain`,
        `${f}:13:57 body.5.retrieve.xpath: XPath: unknown attribute 'Nme' of Shop.Item (did you mean 'Name'?)`,
      ]),
    );
  });

  it('reports an unknown parameter type once', async () => {
    const { problems } = await compileShop({ Params: 'parameters: { X: Shop.Nothing, Y: List of Shop.Nope, Z: Strin }\nbody: []' });
    expect(problems.filter((p) => p.includes('Params.yaml'))).toEqual([
      "modules/Shop/microflows/Params.yaml:1 parameters.X: unknown entity or enumeration 'Shop.Nothing'",
      "modules/Shop/microflows/Params.yaml:1 parameters.Y: unknown entity or enumeration 'Shop.Nope'",
      "modules/Shop/microflows/Params.yaml:1 parameters.Z: unknown type 'Strin' (did you mean 'String'?)",
    ]);
  });

  it('the kiln command prints them and fails', async () => {
    const dir = writeApp(appFiles(BROKEN));
    const r = await runKiln(['check', dir]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(
      "modules/Shop/microflows/Broken.yaml:4:70 body.0.createVariable.value: initial value: entity Shop.Item has no attribute 'Prise'",
    );
  });

  it('the examples check clean', async () => {
    for (const ex of ['examples/sales', 'examples/employees']) {
      const r = await runKiln(['check', ex]);
      expect(r.stdout + r.stderr).not.toMatch(/microflows\//);
      expect(r.code).toBe(0);
    }
  });

  it('event handlers must have the right signature', async () => {
    const { problems } = await compileShop({ Item_BeforeCommit: `parameters: { Item: Shop.Tag }\nbody: []` });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/domain-model.yaml:\d+ entities.Item.events.0.microflow: before-commit handler Shop.Item_BeforeCommit must return Boolean/),
        expect.stringMatching(/before-commit handler Shop.Item_BeforeCommit must take one parameter of type Shop.Item/),
      ]),
    );
  });
});
