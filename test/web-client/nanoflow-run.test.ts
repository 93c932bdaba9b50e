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

/** A page holding M.Line objects with these attributes (beyond Quantity, Price, Kind and Note), running these nanoflows. */
function linePage(
  nanoflows: ClientPage['nanoflows'],
  extra: Record<string, { name: string; type: string; length: number; writable: boolean }> = {},
): ClientPage {
  return {
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
          ...extra,
          Kind: { name: 'Kind', type: 'Enumeration', length: 0, writable: true },
          Note: { name: 'Note', type: 'String', length: 200, writable: true },
        },
      },
    },
    nanoflows,
  };
}

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
    const page = linePage(
      {
        'M.Calc': buildNanoflowPlan(model, model.nanoflows.get('M.Calc')!, none, none),
        'M.Broken': buildNanoflowPlan(model, model.nanoflows.get('M.Broken')!, none, none),
      },
      { Total: { name: 'Total', type: 'Decimal', length: 0, writable: true } },
    );
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

  it('runs every list operation, aggregate and list change as the server’s engine does', async () => {
    /** A list's objects by their notes, in order. */
    const names = (list: string, into: string) =>
      `  - aggregate: { list: $${list}, function: reduce, initial: "''", expression: "$currentResult + $currentObject/Note", into: ${into} }`;
    const dir = writeApp({
      'app.yaml': 'name: T\nmodules: [M]\nsecurity:\n  level: production\n  userRoles: { U: [M.User] }\n',
      'modules/M/domain-model.yaml': [
        'moduleRoles: [User]',
        'enumerations:',
        '  Kind: { A: A, B: B }',
        'entities:',
        '  Line:',
        '    attributes: { Quantity: Integer, Price: Decimal, Kind: Enumeration(Kind), Note: String }',
        '    access: [{ roles: [User], read: "*", write: "*" }]',
      ].join('\n'),
      'modules/M/nanoflows/Lists.yaml': [
        'parameters: { A: M.Line, B: M.Line, C: M.Line }',
        'body:',
        '  - createList: { entity: M.Line, into: L1 }',
        '  - changeList: { list: $L1, operation: add, value: $A }',
        '  - changeList: { list: $L1, operation: add, value: $B }',
        '  - changeList: { list: $L1, operation: add, value: $C }',
        '  - createList: { entity: M.Line, into: L2 }',
        '  - changeList: { list: $L2, operation: add, value: $C }',
        '  - changeList: { list: $L2, operation: add, value: $B }',
        '  - changeList: { list: $L2, operation: add, value: $C }',
        '  - aggregate: { list: $L2, function: count, into: Dups }',
        '  - listOperation: { operation: union, list: $L1, other: $L2, into: U }',
        '  - listOperation: { operation: intersect, list: $L2, other: $L1, into: I }',
        '  - listOperation: { operation: subtract, list: $L1, other: $L2, into: S }',
        '  - listOperation: { operation: contains, list: $L1, other: $L2, into: Has }',
        '  - listOperation: { operation: contains, list: $L2, other: $L1, into: HasNot }',
        '  - listOperation: { operation: equals, list: $L1, other: $U, into: Same }',
        '  - listOperation: { operation: tail, list: $L1, into: T }',
        '  - listOperation: { operation: range, list: $L1, offset: "1", amount: "1", into: R }',
        '  - listOperation: { operation: filter, list: $L1, attribute: Kind, value: M.Kind.A, into: F }',
        '  - listOperation: { operation: sort, list: $L1, sort: ["Kind desc", Price], into: Sorted }',
        '  - aggregate: { list: $L1, function: min, attribute: Price, into: Min }',
        '  - aggregate: { list: $L1, function: any, expression: "$currentObject/Quantity > 2", into: Any }',
        '  - aggregate: { list: $L1, function: average, attribute: Price, into: Avg }',
        '  - createList: { entity: M.Line, into: Empty }',
        '  - aggregate: { list: $Empty, function: max, attribute: Price, into: NoMax }',
        '  - aggregate: { list: $Empty, function: all, expression: "$currentObject/Quantity > 100", into: AllOfNone }',
        '  - changeList: { list: $L2, operation: remove, value: $C }',
        '  - aggregate: { list: $L2, function: reduce, initial: "\'\'", expression: "$currentResult + $currentObject/Note", into: AfterRemove }',
        '  - changeList: { list: $L2, operation: replace, value: $A }',
        '  - aggregate: { list: $L2, function: reduce, initial: "\'\'", expression: "$currentResult + $currentObject/Note", into: AfterReplace }',
        '  - changeList: { list: $L2, operation: clear }',
        '  - aggregate: { list: $L2, function: count, into: AfterClear }',
        names('L1', 'Names'),
        '  - aggregate: { list: $U, function: count, into: UN }',
        names('I', 'IN'),
        names('S', 'SN'),
        names('T', 'TN'),
        names('R', 'RN'),
        names('F', 'FN'),
        names('Sorted', 'SortedN'),
        '  - showMessage:',
        '      message: "{1} {2} {3} {4} {5} {6} {7} {8} {9} {10} {11} {12} {13} {14} {15} {16} {17} {18} {19}"',
        '      params:',
        '        - toString($Dups)',
        '        - $Names',
        '        - toString($Has)',
        '        - toString($HasNot)',
        '        - toString($Same)',
        '        - toString($Min)',
        '        - toString($Any)',
        '        - toString($Avg)',
        "        - \"if $NoMax = empty then 'none' else 'some'\"",
        '        - toString($AllOfNone)',
        '        - $AfterRemove',
        '        - $AfterReplace',
        '        - toString($AfterClear)',
        '        - "\'U=\' + toString($UN)"',
        '        - "\'I=\' + $IN"',
        '        - "\'S=\' + $SN"',
        '        - "\'T=\' + $TN"',
        "        - \"'R=' + $RN + ',F=' + $FN\"",
        '        - "\'Sorted=\' + $SortedN"',
      ].join('\n'),
    });
    const { model, diagnostics } = await loadModel(dir, { checks: modelChecks() });
    if (!model) throw new Error(diagnostics.map(formatDiagnostic).join('\n'));
    const none = () => undefined;
    const page = linePage({ 'M.Lists': buildNanoflowPlan(model, model.nanoflows.get('M.Lists')!, none, none) });
    const store = new ObjectStore();
    const line = (guid: string, q: number, price: string, kind: string, note: string) => ({
      objectType: 'M.Line',
      guid,
      attributes: { Quantity: { value: q }, Price: { value: price }, Kind: { value: kind }, Note: { value: note } },
    });
    store.ingest({ partialObjects: [line('1', 1, '3', 'A', 'a'), line('2', 2, '1', 'B', 'b'), line('3', 3, '2', 'A', 'c')] });
    const messages: string[] = [];
    const app = { store, showMessage: (t: string) => messages.push(t) } as unknown as AppServices;
    await runNanoflow(app, 'M.Lists', { page, args: { A: '1', B: '2', C: '3' }, close: () => undefined });
    // add keeps duplicates (3); union has none (3); intersect keeps the list's order without duplicates;
    // min of 3, 1, 2; the average of 3, 1, 2; max of nothing is empty, all of nothing is true;
    // remove takes the first occurrence only; sort by kind descending, then price.
    expect(messages).toEqual(['3 abc true false true 1 true 2 none true bc a 0 U=3 I=cb S=a T=bc R=b,F=ac Sorted=bca']);
  });
});
