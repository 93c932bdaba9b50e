import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { writeApp } from '../support/app-folder.js';

/** `kiln check` on nanoflows: server-only activities, functions the browser does not evaluate, types and names, each at its line. */
describe('nanoflows in kiln check', () => {
  const app = (nanoflow: string, page = '', more = '') =>
    writeApp({
      'app.yaml': 'name: T\nmodules: [M]\nsecurity:\n  level: production\n  userRoles: { U: [M.User] }\n',
      'modules/M/domain-model.yaml': [
        'moduleRoles: [User]',
        'entities:',
        '  Line:',
        '    attributes: { Quantity: Integer, Price: Decimal, Total: Decimal }',
        '    access: [{ roles: [User], read: "*", write: "*", create: true }]',
        ...(more ? ['  Order:', '    attributes: { Code: String }', '    access: [{ roles: [User], read: "*", write: "*", create: true }]', more] : []),
      ].join('\n'),
      'modules/M/nanoflows/Compute.yaml': nanoflow,
      ...(page ? { 'modules/M/pages/P.yaml': page } : {}),
    });

  it('accepts the client activities (a retrieve from the database among them, a commit through the server) and refuses server-only ones with a located error', async () => {
    const dir = app(
      [
        'parameters: { Line: M.Line }',
        'body:',
        '  - change: { object: $Line, set: { Total: "$Line/Quantity * $Line/Price" } }',
        '  - retrieve: { from: M.Line, into: Lines }',
        '  - commit: $Line',
        '  - delete: $Line',
        '  - decision:',
        '      if: "$Line/Total > 100"',
        '      then:',
        "        - log: { message: 'big' }",
        '  - closePage: true',
      ].join('\n'),
    );
    const { model, diagnostics } = await loadModel(dir, { checks: modelChecks() });
    expect(model).toBeUndefined();
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'modules/M/nanoflows/Compute.yaml:6 body.3.delete: delete cannot be used in a nanoflow: deleting runs on the server: call a microflow, or use a delete button',
      'modules/M/nanoflows/Compute.yaml:10 body.4.decision.then.0.log: log cannot be used in a nanoflow: logging runs on the server: call a microflow',
    ]);
  });

  it("handles errors as Mendix nanoflows do, and types a called nanoflow's result by its return type", async () => {
    const files = (body: string[]) =>
      writeApp({
        'app.yaml': 'name: T\nmodules: [M]\nsecurity:\n  level: production\n  userRoles: { U: [M.User] }\n',
        'modules/M/domain-model.yaml':
          'moduleRoles: [User]\nentities:\n  Line:\n    attributes: { Quantity: Integer, Total: Decimal }\n    access: [{ roles: [User], read: "*", write: "*", create: true }]\n',
        'modules/M/nanoflows/GetLine.yaml': 'returns: Line\nbody:\n  - create: { entity: M.Line, into: New }\n  - return: $New\n',
        'modules/M/nanoflows/Compute.yaml': ['returns: M.Line', 'body:', ...body].join('\n'),
      });
    const ok = await loadModel(
      files([
        '  - call: { microflow: GetLine, into: Line }',
        '    onError:',
        '      customWithoutRollback:',
        '        - create: { entity: M.Line, set: { Quantity: "1" }, commit: true, into: Fallback }',
        '        - return: $Fallback',
        '  - change: { object: $Line, set: { Total: "$Line/Quantity * 2" }, commit: true }',
        '    onError: continue',
        '  - return: $Line',
      ]),
      { checks: modelChecks() },
    );
    expect(ok.diagnostics.map(formatDiagnostic)).toEqual([]);
    const bad = await loadModel(
      files([
        '  - call: { microflow: GetLine, into: Line }',
        '    onError:',
        '      customWithRollback:',
        "        - showMessage: { message: '{1}', params: [$latestError/Message] }",
        '  - createList: { entity: M.Line, into: Lines }',
        '  - loop:',
        '      over: $Lines',
        '      as: L',
        '      body: [{ change: { object: $L, set: { Total: "1" } } }]',
        '    onError: continue',
        '  - createVariable: { name: N, type: Integer, value: $Line }',
        '  - return: $Line',
      ]),
      { checks: modelChecks() },
    );
    expect(bad.diagnostics.map(formatDiagnostic)).toEqual(
      expect.arrayContaining([
        'modules/M/nanoflows/Compute.yaml:6 body.0.onError.customWithRollback: a nanoflow has no transaction to roll back: use customWithoutRollback (as Mendix nanoflows do) or continue',
        expect.stringMatching(
          /^modules\/M\/nanoflows\/Compute\.yaml:6:\d+ body\.0\.onError\.customWithRollback\.0\.showMessage\.params\.0: \$latestError is not available in a nanoflow yet/,
        ),
        'modules/M/nanoflows/Compute.yaml:12 body.2.onError: continue on a loop in a nanoflow is not supported yet: put the error handling on the activities inside it',
        expect.stringMatching(
          /^modules\/M\/nanoflows\/Compute\.yaml:13(:\d+)? body\.3\.createVariable\.value: .*expected Integer, but the expression is M\.Line/,
        ),
      ]),
    );
  });

  it('refuses a function the browser does not evaluate at its column, a wrong type, an unknown member and an unknown nanoflow on a page', async () => {
    const dir = app(
      [
        'parameters: { Line: M.Line }',
        'body:',
        '  - change: { object: $Line, set: { Total: "length(formatDecimal($Line/Price, \'#\'))" } }',
        "  - change: { object: $Line, set: { Total: \"'text'\", Nope: '1' } }",
      ].join('\n'),
      [
        'title: P',
        'allowedRoles: [User]',
        'parameters: { Line: M.Line }',
        'widgets:',
        '  - dataView:',
        '      name: v',
        '      source: { parameter: Line }',
        '      widgets:',
        '        - numberInput: { attribute: Quantity, onChange: { nanoflow: Comptue } }',
        '      buttons:',
        '        - { caption: Go, action: { nanoflow: Compute } }',
      ].join('\n'),
    );
    const { diagnostics } = await loadModel(dir, { checks: modelChecks() });
    const msgs = diagnostics.map(formatDiagnostic);
    expect(msgs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^modules\/M\/nanoflows\/Compute\.yaml:3:52 body\.0\.change\.set\.Total: formatDecimal\(\) is not evaluated in the browser/),
        expect.stringMatching(
          /^modules\/M\/nanoflows\/Compute\.yaml:4:\d+ body\.1\.change\.set\.Total: value of Total: expected Decimal, but the expression is String/,
        ),
        "modules/M/nanoflows/Compute.yaml:4 body.1.change.set.Nope: entity M.Line has no attribute 'Nope'",
        expect.stringMatching(/^modules\/M\/pages\/P\.yaml:9 widgets\.0\.dataView\.widgets\.0\.numberInput\.onChange\.nanoflow: unknown nanoflow 'Comptue'/),
      ]),
    );
    expect(msgs.filter((m) => m.includes('buttons'))).toEqual([]);
  });

  it('accepts retrieves, aggregates, list operations and list changes; refuses what the browser cannot run in them, each at its line', async () => {
    const ok = app(
      [
        'parameters: { Line: M.Line }',
        'body:',
        '  - createVariable: { name: Min, type: Integer, value: "2" }',
        '  - retrieve: { from: M.Line, xpath: "[Quantity >= $Min][id != $Line]", sort: ["Price desc"], range: { offset: "0", amount: "10" }, into: Lines }',
        '  - retrieve: { from: $Line/M.Line_Order, into: Order }',
        '  - retrieve: { from: $Order/M.Line_Order, into: Siblings }',
        '  - aggregate: { list: $Lines, function: sum, expression: "$currentObject/Quantity * $currentObject/Price", into: Sum }',
        '  - aggregate: { list: $Lines, function: any, expression: "$currentObject/Price > 10", into: AnyDear }',
        '  - aggregate: { list: $Lines, function: reduce, initial: "0", returns: Decimal, expression: "$currentResult + $currentObject/Price", into: R }',
        '  - listOperation: { operation: union, list: $Lines, other: $Siblings, into: All }',
        '  - listOperation: { operation: findByExpression, list: $All, expression: "$currentObject/Quantity = 1", into: One }',
        '  - createList: { entity: M.Line, into: Picked }',
        '  - changeList: { list: $Picked, operation: add, value: $One }',
        '  - change: { object: $Line, set: { Total: "$Sum" } }',
      ].join('\n'),
      '',
      'associations:\n  Line_Order: { type: Reference, parent: Line, child: Order }\n  Order_Parent: { type: Reference, parent: Order, child: Order }\n',
    );
    const good = await loadModel(ok, { checks: modelChecks() });
    expect(good.diagnostics.map(formatDiagnostic)).toEqual([]);

    const bad = app(
      [
        'parameters: { Line: M.Line, Order: M.Order }',
        'body:',
        '  - retrieve: { from: M.Line, xpath: "[Quantity >= $Line/Quantity]", into: Lines }',
        '  - retrieve: { from: $Order/M.Order_Parent, into: Parent }',
        '  - aggregate: { list: $Lines, function: sum, attribute: Nope, into: S }',
        "  - aggregate: { list: $Lines, function: all, expression: \"formatDecimal($currentObject/Price, '#') = '1'\", into: A }",
        '  - listOperation: { operation: filterByExpression, list: $Lines, expression: "$currentObject/Quantity", into: F }',
        '  - changeList: { list: $Nothing, operation: add, value: $Line }',
      ].join('\n'),
      '',
      'associations:\n  Line_Order: { type: Reference, parent: Line, child: Order }\n  Order_Parent: { type: Reference, parent: Order, child: Order }\n',
    );
    const { model, diagnostics } = await loadModel(bad, { checks: modelChecks() });
    expect(model).toBeUndefined();
    const msgs = diagnostics.map(formatDiagnostic);
    expect(msgs).toEqual(
      expect.arrayContaining([
        "modules/M/nanoflows/Compute.yaml:3 body.0.retrieve.xpath: $Line/... cannot be used in a nanoflow's XPath: the browser sends $Line as it is (an object as its id); put the member in a variable first",
        'modules/M/nanoflows/Compute.yaml:4 body.1.retrieve.from: retrieving over the self-association M.Order_Parent in a nanoflow is not supported yet: call a microflow',
        "modules/M/nanoflows/Compute.yaml:5 body.2.aggregate.attribute: entity M.Line has no attribute 'Nope'",
        expect.stringMatching(/^modules\/M\/nanoflows\/Compute\.yaml:6:\d+ body\.3\.aggregate\.expression: formatDecimal\(\) is not evaluated in the browser/),
        expect.stringMatching(/^modules\/M\/nanoflows\/Compute\.yaml:7(:\d+)? body\.4\.listOperation\.expression: .*Boolean/),
        expect.stringMatching(/^modules\/M\/nanoflows\/Compute\.yaml:8(:\d+)? body\.5\.changeList\.list: .*Nothing/),
      ]),
    );
  });
});
