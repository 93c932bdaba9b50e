import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * A page file (`modules/<Module>/pages/<Name>.yaml`). Widgets are objects with one
 * widget key (`dataGrid`, `listView`, `dataView`, `textBox`, ...); the client and
 * the operations registry give each its meaning. Every widget and every widget
 * property is listed here, with no other keys allowed, so a misspelt widget or
 * property is an error (with the nearest name suggested) and editors can complete them.
 */
const strict = { additionalProperties: false } as const;
const Name = Type.Optional(Type.String({ description: 'Widget name (unique on the page, as in Studio Pro).' }));
const Label = Type.Optional(Type.String({ description: 'Label shown with the input.' }));
const Attribute = Type.String({ description: 'Attribute, or a path Association/Entity/Attribute.' });

const FileWidget = (description: string) =>
  Type.Object(
    {
      name: Name,
      label: Label,
      upload: Type.Optional(Type.Boolean({ description: 'Offer an upload (where the user may write Contents); default true.' })),
      maxFileSize: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Largest upload in MB (never more than FileUploadMaxSize).' })),
    },
    { ...strict, description },
  );

const SortKey = Type.Union([
  Type.String({ description: 'Attribute to sort on, ascending.' }),
  Type.Object({ attribute: Type.String(), descending: Type.Optional(Type.Boolean()) }, strict),
]);

const DataSource = Type.Union(
  [
    Type.Object({ xpath: Type.String({ description: '//Module.Entity[constraint]' }), sort: Type.Optional(Type.Array(SortKey)) }, strict),
    Type.Object({ microflow: Type.String({ description: 'Microflow returning a list (or an object for a data view).' }) }, strict),
    Type.Object({ parameter: Type.String({ description: 'Page parameter shown by a data view.' }) }, strict),
  ],
  { description: 'Where the widget gets its objects: {xpath, sort}, {microflow} or {parameter}.' },
);

const ButtonAction = Type.Union(
  [
    Type.String({ description: 'save, cancel, delete or close.' }),
    Type.Object(
      { create: Type.String({ description: 'Entity to create.' }), page: Type.Optional(Type.String({ description: 'Page opened with the new object.' })) },
      strict,
    ),
    Type.Object({ open: Type.String({ description: 'Page opened with the selected object.' }) }, strict),
    Type.Object({ page: Type.String({ description: 'Page opened with the selected object.' }) }, strict),
    Type.Object(
      {
        microflow: Type.String({ description: 'Microflow called with the selected or shown object.' }),
        closePage: Type.Optional(Type.Boolean()),
        async: Type.Optional(
          Type.Boolean({
            description:
              'Long-running: the call runs in the background on the server and the client polls for its answer (through any instance), showing progress meanwhile (Mendix: asynchronous).',
          }),
        ),
        progressMessage: Type.Optional(Type.String({ description: 'Shown with the progress indicator while the microflow runs.' })),
      },
      strict,
    ),
  ],
  { description: 'save | cancel | delete | close | {create, page} | {open} | {microflow, closePage, async, progressMessage}' },
);

const Button = Type.Object(
  {
    name: Name,
    caption: Type.Optional(Type.String()),
    action: ButtonAction,
    style: Type.Optional(Type.Union([Type.Literal('default'), Type.Literal('primary'), Type.Literal('danger')])),
    closePage: Type.Optional(Type.Boolean({ description: 'For save: close the page afterwards (default true).' })),
  },
  strict,
);
const Buttons = Type.Optional(Type.Array(Button));

const Column = Type.Union([Attribute, Type.Object({ attribute: Attribute, caption: Type.Optional(Type.String()) }, strict)]);

const Input = (description: string) =>
  Type.Optional(Type.Object({ name: Name, attribute: Attribute, label: Label, readOnly: Type.Optional(Type.Boolean()) }, { ...strict, description }));

const Selector = (description: string) =>
  Type.Optional(
    Type.Object(
      {
        name: Name,
        association: Type.String({ description: 'The association set by the selector.' }),
        attribute: Type.Optional(Type.String({ description: 'Attribute of the other end shown in the choices.' })),
        label: Label,
        readOnly: Type.Optional(Type.Boolean()),
      },
      { ...strict, description },
    ),
  );

function widgetSchema(Self: TSchema) {
  const Widgets = Type.Optional(Type.Array(Self));
  const list = (extra: Record<string, TSchema>, description: string) =>
    Type.Optional(
      Type.Object(
        {
          name: Name,
          caption: Type.Optional(Type.String()),
          source: DataSource,
          pageSize: Type.Optional(Type.Integer({ minimum: 1 })),
          search: Type.Optional(Type.Array(Type.String(), { description: 'String attributes the search bar looks in.' })),
          buttons: Buttons,
          rowButtons: Buttons,
          ...extra,
        },
        { ...strict, description },
      ),
    );
  return Type.Object(
    {
      dataGrid: list({ columns: Type.Optional(Type.Array(Column)) }, 'A paged, sortable, searchable grid of objects.'),
      listView: list({ widgets: Widgets }, 'A list of objects, with widgets rendered per object.'),
      dataView: Type.Optional(
        Type.Object(
          { name: Name, caption: Type.Optional(Type.String()), source: DataSource, widgets: Widgets, buttons: Buttons },
          { ...strict, description: 'One object, with its inputs.' },
        ),
      ),
      textBox: Input('A one-line text input.'),
      textArea: Input('A multi-line text input.'),
      numberInput: Input('A number input.'),
      datePicker: Input('A date (and time) input.'),
      checkBox: Input('A Boolean input.'),
      radioButtons: Input("An enumeration's (or Boolean's) values as radio buttons."),
      dropDown: Input("An enumeration's values in a drop-down."),
      referenceSelector: Selector('Sets a Reference association from a drop-down.'),
      referenceSetSelector: Selector('Sets a ReferenceSet association from a list of check boxes.'),
      staticText: Type.Optional(
        Type.Union([
          Type.String(),
          Type.Object(
            {
              name: Name,
              text: Type.Optional(Type.String()),
              caption: Type.Optional(Type.String()),
              heading: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)])),
            },
            strict,
          ),
        ]),
      ),
      dynamicText: Type.Optional(Type.Union([Attribute, Type.Object({ name: Name, attribute: Attribute, label: Label }, strict)])),
      fileManager: Type.Optional(FileWidget("A FileDocument's contents in a data view over it: name, size, download, upload with progress.")),
      imageViewer: Type.Optional(FileWidget("An Image's thumbnail in a data view over it, with download and upload.")),
      button: Type.Optional(Button),
      container: Type.Optional(Type.Object({ name: Name, widgets: Widgets, class: Type.Optional(Type.String()) }, strict)),
      layoutGrid: Type.Optional(
        Type.Object(
          {
            name: Name,
            rows: Type.Array(
              Type.Object(
                {
                  columns: Type.Array(
                    Type.Object(
                      { weight: Type.Optional(Type.Integer({ minimum: 1, maximum: 12, description: 'Width in twelfths.' })), widgets: Widgets },
                      strict,
                    ),
                  ),
                },
                strict,
              ),
            ),
          },
          strict,
        ),
      ),
    },
    { ...strict, minProperties: 1, maxProperties: 1, description: 'One widget: a single widget key.' },
  );
}

const Widget = Type.Recursive((Self) => widgetSchema(Self), { $id: 'Widget', title: 'Page widget' });

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
