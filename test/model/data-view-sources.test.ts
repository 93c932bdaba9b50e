import { describe, expect, it } from 'vitest';
import { modelChecks } from '../../src/app/model-checks.js';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { writeApp } from '../support/app-folder.js';

// kiln check on data views whose object a nanoflow returns (Mendix's nanoflow data source) or the enclosing object refers to.

describe('kiln check: data views over a nanoflow or an association', () => {
  it('accepts a nanoflow returning an object, and refuses a list, parameters, an unknown one and a grid over one, each at its place', async () => {
    const dir = writeApp({
      'app.yaml': 'name: T\nmodules: [Shop]\nsecurity: { level: off }\n',
      'modules/Shop/domain-model.yaml': 'entities:\n  Note:\n    attributes: { Title: String }\n',
      'modules/Shop/nanoflows/One.yaml': 'returns: Note\nbody:\n  - create: { entity: Shop.Note, into: N }\n  - return: $N\n',
      'modules/Shop/nanoflows/Many.yaml': 'returns: List of Shop.Note\nbody:\n  - createList: { entity: Shop.Note, into: L }\n  - return: $L\n',
      'modules/Shop/nanoflows/Given.yaml': 'parameters: { Other: Shop.Note }\nreturns: Shop.Note\nbody:\n  - return: $Other\n',
      'modules/Shop/pages/P.yaml': [
        'title: P',
        'widgets:',
        '  - dataView: { name: a, source: { nanoflow: One }, widgets: [{ textBox: { attribute: Title } }] }',
        '  - dataView: { name: b, source: { nanoflow: Many }, widgets: [] }',
        '  - dataView: { name: c, source: { nanoflow: Given }, widgets: [] }',
        '  - dataView: { name: d, source: { nanoflow: Nope }, widgets: [] }',
        '  - listView: { name: e, source: { nanoflow: One }, widgets: [] }',
      ].join('\n'),
    });
    const { diagnostics } = await loadModel(dir, { checks: modelChecks() });
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'modules/Shop/pages/P.yaml:4 widgets.1.dataView.source.nanoflow: the nanoflow Shop.Many must return an object (it returns List of Shop.Note)',
      "modules/Shop/pages/P.yaml:5 widgets.2.dataView.source.nanoflow: the nanoflow Shop.Given of a data view's source takes no parameters (it has Other)",
      "modules/Shop/pages/P.yaml:6 widgets.3.dataView.source.nanoflow: unknown nanoflow 'Nope'",
      "modules/Shop/pages/P.yaml:7 widgets.4.listView.source.nanoflow: only a data view's source may be a nanoflow; a listView needs {xpath} or {microflow}",
    ]);
  });

  it("accepts a data view over the enclosing object's Reference, and refuses one outside a data widget, a ReferenceSet and the wrong end", async () => {
    const dir = writeApp({
      'app.yaml': 'name: T\nmodules: [Shop]\nsecurity: { level: off }\n',
      'modules/Shop/domain-model.yaml': [
        'entities:',
        '  Note: { attributes: { Title: String } }',
        '  Folder: { attributes: { Name: String } }',
        'associations:',
        '  Note_Folder: { parent: Note, child: Folder }',
        '  Note_Tags: { type: ReferenceSet, parent: Note, child: Folder }',
      ].join('\n'),
      'modules/Shop/pages/P.yaml': [
        'title: P',
        'parameters: { Note: Shop.Note, Folder: Shop.Folder }',
        'widgets:',
        '  - dataView:',
        '      name: n',
        '      source: { parameter: Note }',
        '      widgets:',
        '        - dataView: { name: f, source: { association: Note_Folder }, widgets: [{ textBox: { attribute: Name } }] }',
        '        - dataView: { name: t, source: { association: Note_Tags }, widgets: [] }',
        '  - dataView: { name: o, source: { association: Note_Folder }, widgets: [] }',
        '  - dataView:',
        '      name: back',
        '      source: { parameter: Folder }',
        '      widgets: [{ dataView: { name: b, source: { association: Note_Folder }, widgets: [] } }]',
      ].join('\n'),
    });
    const { diagnostics } = await loadModel(dir, { checks: modelChecks() });
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'modules/Shop/pages/P.yaml:9 widgets.0.dataView.widgets.1.dataView.source.association: Shop.Note_Tags must be a Reference of Shop.Note (it is a ReferenceSet of Shop.Note)',
      'modules/Shop/pages/P.yaml:10 widgets.1.dataView.source.association: a data view over an association must be inside a data view, list view or data grid',
      'modules/Shop/pages/P.yaml:14 widgets.2.dataView.widgets.0.dataView.source.association: Shop.Note_Folder must be a Reference of Shop.Folder (it is a Reference of Shop.Note)',
    ]);
  });
});
