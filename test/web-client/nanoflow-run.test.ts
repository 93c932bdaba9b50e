import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { buildNanoflowPlan } from '../../src/web-client/nanoflows.js';
import type { ClientPage } from '../../src/web-client/page-definition.js';
import { ObjectStore } from '../../client/src/store/object-store.js';
import { runNanoflow } from '../../client/src/nanoflow/run.js';
import type { AppServices } from '../../client/src/app/context.js';
import { writeApp } from '../support/app-folder.js';

/**
 * The browser's nanoflow interpreter on plans the server builds from a checked model:
 * loops, while with break, a decision on an enumeration, variables, exact decimals,
 * template messages, validation feedback and an error, over the client's real object store.
 */
describe('nanoflows in the browser client', () => {
  it('runs loops, decisions and variables with exact decimals against the object store', async () => {
    const dir = writeApp({
      'app.yaml': 'name: T\nmodules: [M]\nsecurity:\n  level: production\n  userRoles: { U: [M.User] }\n',
      'modules/M/domain-model.yaml': [
        'moduleRoles: [User]',
        'enumerations:',
        '  Kind: { A: A, B: B }',
        'entities:',
        '  Line:',
        '    attributes: { Quantity: Integer, Price: Decimal, Total: Decimal, Kind: Enumeration(Kind), Note: String }',
        '    access: [{ roles: [User], read: "*", write: "*" }]',
      ].join('\n'),
      'modules/M/nanoflows/Calc.yaml': [
        'parameters: { Line: M.Line }',
        'returns: Decimal',
        'body:',
        '  - createVariable: { name: I, type: Integer, value: "0" }',
        '  - createVariable: { name: Sum, type: Decimal, value: "0" }',
        '  - while:',
        '      condition: "$I < $Line/Quantity"',
        '      body:',
        '        - changeVariable: { name: Sum, value: "$Sum + $Line/Price" }',
        '        - changeVariable: { name: I, value: "$I + 1" }',
        '        - decision:',
        '            if: "$I = 3"',
        '            then:',
        '              - break: true',
        '  - decision:',
        '      on: $Line/Kind',
        '      cases:',
        '        A:',
        '          - change: { object: $Line, set: { Note: "\'a:\' + toString($Sum)", Total: "round($Sum div 3, 2)" } }',
        '        B:',
        '          - change: { object: $Line, set: { Note: "\'b\'" } }',
        '  - decision:',
        '      if: "$Sum > 6"',
        '      then:',
        '        - validationFeedback: { object: $Line, member: Total, message: "Too much: {1}", params: ["toString($Sum)"] }',
        '  - showMessage: { type: warning, message: "Sum {1} over {2} passes", params: ["toString($Sum)", "toString($I)"] }',
        '  - return: $Sum',
      ].join('\n'),
      'modules/M/nanoflows/Broken.yaml': ['parameters: { Line: M.Line }', 'body:', '  - change: { object: $Line, set: { Total: "$Line/Price div 0" } }'].join(
        '\n',
      ),
    });
    const { model, diagnostics } = await loadModel(dir, { checks: modelChecks() });
    if (!model) throw new Error(diagnostics.map(formatDiagnostic).join('\n'));
    const none = () => undefined;
    const page: ClientPage = {
      name: 'M.P',
      title: 'P',
      popup: false,
      parameters: {},
      widgets: [],
      entities: {
        'M.Line': {
          name: 'M.Line',
          canCreate: false,
          canDelete: false,
          associations: {},
          attributes: {
            Quantity: { name: 'Quantity', type: 'Integer', length: 0, writable: true },
            Price: { name: 'Price', type: 'Decimal', length: 0, writable: true },
            Total: { name: 'Total', type: 'Decimal', length: 0, writable: true },
            Kind: { name: 'Kind', type: 'Enumeration', length: 0, writable: true },
            Note: { name: 'Note', type: 'String', length: 200, writable: true },
          },
        },
      },
      nanoflows: {
        'M.Calc': buildNanoflowPlan(model, model.nanoflows.get('M.Calc')!, none, none),
        'M.Broken': buildNanoflowPlan(model, model.nanoflows.get('M.Broken')!, none, none),
      },
    };
    const store = new ObjectStore();
    const guid = '11540474045137256';
    store.ingest({
      partialObjects: [
        {
          objectType: 'M.Line',
          guid,
          attributes: { Quantity: { value: 5 }, Price: { value: '0.1' }, Kind: { value: 'A' }, Note: { value: '' }, Total: { value: null } },
        },
      ],
    });
    const messages: [string, string | undefined][] = [];
    // The app's services a nanoflow without server calls uses: the store and the message dialog.
    const app = { store, showMessage: (text: string, kind?: string) => messages.push([text, kind]) } as unknown as AppServices;
    const feedback: unknown[] = [];
    const result = await runNanoflow(app, 'M.Calc', { page, args: { Line: guid }, close: () => undefined, onValidation: (v) => feedback.push(...v) });
    // 0.1 three times is exactly 0.3 (no binary floating point), then the loop broke.
    expect(String(result)).toBe('0.3');
    expect(store.get(guid, 'Note')).toBe('a:0.3');
    expect(store.get(guid, 'Total')).toBe('0.1');
    expect(feedback).toEqual([]);
    expect(messages).toEqual([['Sum 0.3 over 3 passes', 'warning']]);

    store.set(guid, 'Price', '2.5');
    store.set(guid, 'Kind', 'B');
    await runNanoflow(app, 'M.Calc', { page, args: { Line: guid }, close: () => undefined, onValidation: (v) => feedback.push(...v) });
    expect(store.get(guid, 'Note')).toBe('b');
    expect(feedback).toEqual([{ guid, member: 'Total', message: 'Too much: 7.5' }]);

    await expect(runNanoflow(app, 'M.Broken', { page, args: { Line: guid }, close: () => undefined })).rejects.toThrow('division by zero');
  });
});
