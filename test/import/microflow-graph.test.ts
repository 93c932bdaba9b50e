import { describe, expect, it } from 'vitest';
import { convertMicroflow } from '../../src/import/microflows.js';
import { ModelIndex } from '../../src/import/model-index.js';
import { Reporter } from '../../src/import/report.js';
import type { MxObject } from '../../src/import/units.js';

/** A Mendix microflow graph from nodes and flows ([from, to, case?]). */
function microflow(nodes: Record<string, Record<string, unknown>>, flows: [string, string, string?][]): MxObject {
  return {
    $Type: 'Microflows$Microflow',
    Name: 'Flow',
    ObjectCollection: { $Type: 'Microflows$MicroflowObjectCollection', Objects: Object.entries(nodes).map(([id, n]) => ({ $ID: id, ...n })) },
    Flows: flows.map(([from, to, c]) => ({
      $Type: 'Microflows$SequenceFlow',
      OriginPointer: from,
      DestinationPointer: to,
      IsErrorHandler: false,
      CaseValues: c === undefined ? [] : [{ $Type: 'Microflows$EnumerationCase', Value: c }],
    })),
    MicroflowReturnType: { $Type: 'DataTypes$VoidType' },
  };
}

const index = new ModelIndex({ format: 'unit', productVersion: undefined, name: 't', units: [] });
const convert = (doc: MxObject) => {
  const reporter = new Reporter('t', 'unit', undefined);
  const out = convertMicroflow(index, 'Main', 'Flow', doc, reporter, new Set());
  return { out, notes: reporter.report.notes };
};
const split = (expr: string) => ({ $Type: 'Microflows$ExclusiveSplit', SplitCondition: { $Type: 'Microflows$ExpressionSplitCondition', Expression: expr } });
const setVar = (value: string) => ({
  $Type: 'Microflows$ActionActivity',
  Action: { $Type: 'Microflows$ChangeVariableAction', ChangeVariableName: 'I', Value: value },
});
const log = (text: string) => ({
  $Type: 'Microflows$ActionActivity',
  Action: { $Type: 'Microflows$LogMessageAction', Level: 'Info', MessageTemplate: { $Type: 'Microflows$StringTemplate', Text: text } },
});

describe('microflow graphs -> structured bodies', () => {
  it('rebuilds a decision whose branches meet at a merge', () => {
    const doc = microflow(
      {
        s: { $Type: 'Microflows$StartEvent' },
        d: split('$I > 1'),
        a: setVar('1'),
        b: setVar('2'),
        m: { $Type: 'Microflows$ExclusiveMerge' },
        l: log('done'),
        e: { $Type: 'Microflows$EndEvent' },
      },
      [
        ['s', 'd'],
        ['d', 'a', 'true'],
        ['d', 'b', 'false'],
        ['a', 'm'],
        ['b', 'm'],
        ['m', 'l'],
        ['l', 'e'],
      ],
    );
    const decision = { if: '$I > 1' };
    expect(convert(doc).out.body).toEqual([
      { decision: { ...decision, ['then' as string]: [{ changeVariable: { name: 'I', value: '1' } }], else: [{ changeVariable: { name: 'I', value: '2' } }] } },
      { log: { level: 'info', message: 'done' } },
    ]);
  });

  it('rebuilds a loop made with a merge that a flow runs back to', () => {
    const doc = microflow(
      {
        s: { $Type: 'Microflows$StartEvent' },
        m: { $Type: 'Microflows$ExclusiveMerge' },
        d: split('$I < 3'),
        a: setVar('$I + 1'),
        l: log('after'),
        e: { $Type: 'Microflows$EndEvent' },
      },
      [
        ['s', 'm'],
        ['m', 'd'],
        ['d', 'a', 'true'],
        ['a', 'm'],
        ['d', 'l', 'false'],
        ['l', 'e'],
      ],
    );
    expect(convert(doc).out.body).toEqual([
      {
        while: {
          condition: true,
          body: [{ decision: { if: '$I < 3', ['then' as string]: [{ changeVariable: { name: 'I', value: '$I + 1' } }, { continue: true }] } }, { break: true }],
        },
      },
      { log: { level: 'info', message: 'after' } },
    ]);
  });

  it('leaves out an action without a Kiln form and says which', () => {
    const doc = microflow(
      {
        s: { $Type: 'Microflows$StartEvent' },
        a: { $Type: 'Microflows$ActionActivity', Caption: 'Open it', Action: { $Type: 'Microflows$ShowFormAction' } },
        e: { $Type: 'Microflows$EndEvent' },
      },
      [
        ['s', 'a'],
        ['a', 'e'],
      ],
    );
    const { out, notes } = convert(doc);
    expect(out.body).toEqual([]);
    expect(notes).toEqual(["microflow Main.Flow: ShowFormAction 'Open it' left out (no Kiln activity yet)"]);
  });

  it('imports Mendix 10 aggregates (expression, all, any, reduce) and list operations', () => {
    const act = (Action: Record<string, unknown>) => ({ $Type: 'Microflows$ActionActivity', Action });
    const agg = (fn: string, extra: Record<string, unknown>) =>
      act({ $Type: 'Microflows$AggregateListAction', AggregateFunction: fn, InputListVariableName: 'Items', OutputVariableName: fn, ...extra });
    const op = (Type: string, extra: Record<string, unknown>) =>
      act({ $Type: 'Microflows$ListOperationsAction', NewOperation: { $Type: `Microflows$${Type}`, ListName: 'Items', ...extra }, ResultVariableName: Type });
    const nodes: Record<string, Record<string, unknown>> = {
      s: { $Type: 'Microflows$StartEvent' },
      a: agg('Sum', { UseExpression: true, Expression: '$currentObject/Qty * 2' }),
      b: agg('All', { Expression: '$currentObject/Qty > 0' }),
      c: agg('Reduce', { Expression: '$currentResult + 1', ReduceInitialValueExpression: '0', ReduceReturnDataType: { $Type: 'DataTypes$IntegerType' } }),
      d: op('FilterByExpression', { Expression: '$currentObject/Qty > 1' }),
      f: op('Find', { Attribute: 'Main.Item.Name', Expression: "'x'" }),
      g: op('Sort', { Sortings: { $Type: 'Microflows$SortingsList', Sortings: [{ AttributeRef: { Attribute: 'Main.Item.Qty' }, SortOrder: 'Descending' }] } }),
      h: op('Union', { SecondListOrObjectName: 'Other' }),
      e: { $Type: 'Microflows$EndEvent' },
    };
    const order = ['s', 'a', 'b', 'c', 'd', 'f', 'g', 'h', 'e'];
    const doc = microflow(
      nodes,
      order.slice(1).map((to, i) => [order[i]!, to]),
    );
    const { out, notes } = convert(doc);
    expect(notes).toEqual([]);
    expect(out.body).toEqual([
      { aggregate: { list: '$Items', function: 'sum', expression: '$currentObject/Qty * 2', into: 'Sum' } },
      { aggregate: { list: '$Items', function: 'all', expression: '$currentObject/Qty > 0', into: 'All' } },
      { aggregate: { list: '$Items', function: 'reduce', expression: '$currentResult + 1', initial: '0', returns: 'Integer', into: 'Reduce' } },
      { listOperation: { operation: 'filterByExpression', list: '$Items', expression: '$currentObject/Qty > 1', into: 'FilterByExpression' } },
      { listOperation: { operation: 'find', list: '$Items', attribute: 'Name', value: "'x'", into: 'Find' } },
      { listOperation: { operation: 'sort', list: '$Items', sort: ['Qty desc'], into: 'Sort' } },
      { listOperation: { operation: 'union', list: '$Items', other: '$Other', into: 'Union' } },
    ]);
  });

  it('imports show page (Mendix 9 and 10 forms) and close page', () => {
    const act = (Action: Record<string, unknown>) => ({ $Type: 'Microflows$ActionActivity', Action });
    const doc = microflow(
      {
        s: { $Type: 'Microflows$StartEvent' },
        a: act({ $Type: 'Microflows$CloseFormAction', NumberOfPagesToClose: '2' }),
        b: act({ $Type: 'Microflows$ShowFormAction', FormSettings: { Form: 'Main.Item_Edit' }, PassedObjectVariableName: 'Item' }),
        c: act({
          $Type: 'Microflows$ShowFormAction',
          FormSettings: { Form: 'Main.Item_View', ParameterMappings: [{ Parameter: 'Main.Item_View.Item', Argument: '$Item' }] },
        }),
        d: act({ $Type: 'Microflows$ShowFormAction', FormSettings: { Form: 'Main.Home' } }),
        e: { $Type: 'Microflows$EndEvent' },
      },
      [
        ['s', 'a'],
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'd'],
        ['d', 'e'],
      ],
    );
    const { out, notes } = convert(doc);
    expect(out.body).toEqual([
      { closePage: true },
      { showPage: { page: 'Main.Item_Edit', object: '$Item' } },
      { showPage: { page: 'Main.Item_View', object: '$Item' } },
      { showPage: { page: 'Main.Home' } },
    ]);
    expect(notes).toEqual(['microflow Main.Flow: close page of 2 pages closes one page in Kiln']);
  });

  it('imports an object-type decision with cast object in its branches', () => {
    const doc = microflow(
      {
        s: { $Type: 'Microflows$StartEvent' },
        d: { $Type: 'Microflows$InheritanceSplit', SplitVariableName: 'Pet' },
        c: { $Type: 'Microflows$ActionActivity', Action: { $Type: 'Microflows$CastAction', VariableName: 'Dog' } },
        l: log('dog'),
        o: log('other'),
        m: { $Type: 'Microflows$ExclusiveMerge' },
        e: { $Type: 'Microflows$EndEvent' },
      },
      [
        ['s', 'd'],
        ['c', 'l'],
        ['l', 'm'],
        ['o', 'm'],
        ['m', 'e'],
      ],
    );
    const flows = doc.Flows as Record<string, unknown>[];
    const inherit = (to: string, value: string | undefined) => ({
      $Type: 'Microflows$SequenceFlow',
      OriginPointer: 'd',
      DestinationPointer: to,
      IsErrorHandler: false,
      NewCaseValue: value === undefined ? { $Type: 'Microflows$NoCase' } : { $Type: 'Microflows$InheritanceCase', Value: value },
    });
    flows.push(inherit('c', 'Main.Dog'), inherit('o', 'Main.Pet'), inherit('m', undefined));
    const { out, notes } = convert(doc);
    expect(notes).toEqual([]);
    expect(out.body).toEqual([
      {
        decision: {
          on: '$Pet',
          cases: {
            'Main.Dog': [{ cast: { object: '$Pet', to: 'Main.Dog', into: 'Dog' } }, { log: { level: 'info', message: 'dog' } }],
            'Main.Pet': [{ log: { level: 'info', message: 'other' } }],
            empty: [],
          },
        },
      },
    ]);
  });
});
