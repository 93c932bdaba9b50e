import { Type, type Static } from '@sinclair/typebox';

/**
 * A page file (`modules/<Module>/pages/<Name>.yaml`). Widgets are objects with one
 * widget key (`dataGrid`, `listView`, `dataView`, `textBox`, ...); the client and
 * the operations registry give each its meaning.
 */
const Widget = Type.Record(Type.String(), Type.Unknown(), {
  minProperties: 1,
  description:
    'One widget: a single widget key (dataGrid, listView, dataView, layoutGrid, container, textBox, textArea, numberInput, datePicker, checkBox, radioButtons, dropDown, referenceSelector, referenceSetSelector, staticText, dynamicText, fileManager, imageViewer, button).',
});

export const PageFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    title: Type.String(),
    allowedRoles: Type.Optional(Type.Array(Type.String())),
    parameters: Type.Optional(Type.Record(Type.String(), Type.String({ description: 'Entity of the page parameter.' }))),
    popup: Type.Optional(Type.Boolean()),
    widgets: Type.Array(Widget),
    documentation: Type.Optional(Type.String()),
  },
  { additionalProperties: false, $id: 'https://kiln.dev/schema/page.json', title: 'Kiln page' },
);

export type PageFile = Static<typeof PageFile>;
