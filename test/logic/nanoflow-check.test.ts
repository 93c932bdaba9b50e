import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { writeApp } from '../support/app-folder.js';

/** `kiln check` on nanoflows: server-only activities, functions the browser does not evaluate, types and names, each at its line. */
describe('nanoflows in kiln check', () => {
  const app = (nanoflow: string, page = '') =>
    writeApp({
      'app.yaml': 'name: T\nmodules: [M]\nsecurity:\n  level: production\n  userRoles: { U: [M.User] }\n',
      'modules/M/domain-model.yaml': [
        'moduleRoles: [User]',
        'entities:',
        '  Line:',
        '    attributes: { Quantity: Integer, Price: Decimal, Total: Decimal }',
        '    access: [{ roles: [User], read: "*", write: "*", create: true }]',
      ].join('\n'),
      'modules/M/nanoflows/Compute.yaml': nanoflow,
      ...(page ? { 'modules/M/pages/P.yaml': page } : {}),
    });

  it('accepts the client activities and refuses server-only ones with a located error', async () => {
    const dir = app(
      [
        'parameters: { Line: M.Line }',
        'body:',
        '  - change: { object: $Line, set: { Total: "$Line/Quantity * $Line/Price" } }',
        '  - retrieve: { from: M.Line, into: Lines }',
        '  - commit: $Line',
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
      'modules/M/nanoflows/Compute.yaml:4 body.1.retrieve: retrieve cannot be used in a nanoflow: retrieving from the database runs on the server: call a microflow that returns the objects',
      'modules/M/nanoflows/Compute.yaml:5 body.2.commit: commit cannot be used in a nanoflow: committing runs on the server: call a microflow, or use a save button',
      'modules/M/nanoflows/Compute.yaml:9 body.3.decision.then.0.log: log cannot be used in a nanoflow: logging runs on the server: call a microflow',
    ]);
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
});
