import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { registryCheck } from '../../src/client-api/registry/index.js';
import { writeApp } from '../support/app-folder.js';

/** `kiln check` on Data Grid 2's options: located errors for filters it cannot offer and for a misspelt option. */
describe('data grid options in kiln check', () => {
  it('takes a filter and a sort over a reference, refuses them over a reference set, on a hashed attribute, and unknown options, each at its line', async () => {
    const dir = writeApp({
      'app.yaml': 'name: T\nmodules: [M]\nsecurity:\n  level: production\n  userRoles: { U: [M.User] }\n',
      'modules/M/domain-model.yaml': [
        'moduleRoles: [User]',
        'entities:',
        '  E:',
        '    attributes: { A: String, H: HashedString }',
        '    access: [{ roles: [User], read: "*" }]',
        '  F:',
        '    attributes: { B: String, P: HashedString }',
        '    access: [{ roles: [User], read: "*" }]',
        'associations:',
        '  E_F: { type: Reference, parent: E, child: F }',
        '  E_Fs: { type: ReferenceSet, parent: E, child: F }',
      ].join('\n'),
      'modules/M/pages/P.yaml': [
        'title: P',
        'allowedRoles: [User]',
        'widgets:',
        '  - dataGrid:',
        '      name: g',
        '      source: { xpath: //M.E, sort: [M.E_F/M.F/B, E_F/F/B, M.E_Fs/M.F/B, M.E_F/M.F/Nope, M.E_F/M.F/P] }',
        '      selection: several',
        '      onClick: { action: { open: M.P } }',
        '      columns:',
        '        - { attribute: A, filter: true }',
        '        - { attribute: M.E_F/M.F/B, filter: true }',
        '        - { attribute: H, filter: true }',
        '        - { attribute: M.E_Fs/M.F/B, filter: true }',
      ].join('\n'),
    });
    const { diagnostics } = await loadModel(dir, { checks: [registryCheck] });
    const msgs = diagnostics.map(formatDiagnostic);
    expect(msgs).toEqual([
      expect.stringMatching(/^modules\/M\/pages\/P\.yaml:7 widgets\.0\.dataGrid\.selection/),
      "modules/M/pages/P.yaml:6 widgets.0.dataGrid.source.sort.2: 'M.E_Fs/M.F/B' goes over the reference set M.E_Fs: only a path over a reference can be sorted",
      "modules/M/pages/P.yaml:6 widgets.0.dataGrid.source.sort.3: unknown attribute 'Nope' of M.F",
      'modules/M/pages/P.yaml:6 widgets.0.dataGrid.source.sort.4: a HashedString attribute cannot be sorted',
      'modules/M/pages/P.yaml:12 widgets.0.dataGrid.columns.2.filter: a HashedString attribute cannot be filtered',
      "modules/M/pages/P.yaml:13 widgets.0.dataGrid.columns.3.filter: 'M.E_Fs/M.F/B' goes over the reference set M.E_Fs: only a path over a reference can be filtered",
    ]);
  });

  it('refuses a date-and-time picker or rich text over an attribute of another type, and an image with nothing to show', async () => {
    const dir = writeApp({
      'app.yaml': 'name: T\nmodules: [M]\nsecurity:\n  level: production\n  userRoles: { U: [M.User] }\n',
      'modules/M/domain-model.yaml': [
        'moduleRoles: [User]',
        'entities:',
        '  E:',
        '    attributes: { A: String, D: DateTime, N: Integer }',
        '    access: [{ roles: [User], read: "*", write: "*" }]',
      ].join('\n'),
      'modules/M/pages/P.yaml': [
        'title: P',
        'allowedRoles: [User]',
        'parameters: { E: M.E }',
        'widgets:',
        '  - dataView:',
        '      name: v',
        '      source: { parameter: E }',
        '      widgets:',
        '        - dateTimePicker: { attribute: A }',
        '        - richText: { attribute: N }',
        '        - dateTimePicker: { attribute: D }',
        '        - richText: { attribute: A }',
        '        - image: { alt: x }',
        '        - image: { src: logo.png }',
      ].join('\n'),
    });
    const { diagnostics } = await loadModel(dir, { checks: [registryCheck] });
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      "modules/M/pages/P.yaml:9 widgets.0.dataView.widgets.0.dateTimePicker.attribute: a dateTimePicker needs a DateTime attribute; 'A' is String",
      "modules/M/pages/P.yaml:10 widgets.0.dataView.widgets.1.richText.attribute: a richText needs a String attribute; 'N' is Integer",
      'modules/M/pages/P.yaml:13 widgets.0.dataView.widgets.4.image: an image without src shows the Image of the data view or list it is in: put it in one over an Image, or give it a src',
    ]);
  });
});
