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
const Attribute = Type.String({ description: 'Attribute, or a path Association/Entity/Attribute.' });

/**
 * A translatable text: a plain string, or one text per language of app.yaml's
 * `languages` (`{en_US: Orders, nl_NL: Bestellingen}`).
 */
const Text = Type.Union([Type.String(), Type.Record(Type.String({ pattern: '^[a-z]{2}_[A-Z]{2}$' }), Type.String(), { minProperties: 1 })], {
  description: 'A text, or one text per language: {en_US: ..., nl_NL: ...}.',
});

const Label = Type.Optional(Text);

/**
 * When a widget is shown (`visible`) or its input may be changed (`editable`), as in
 * Studio Pro's conditional visibility and editability: every condition given must hold.
 */
const Condition = Type.Object(
  {
    expression: Type.Optional(Type.String({ description: 'A Boolean expression over $currentObject (the enclosing data view or list item).' })),
    attribute: Type.Optional(Type.String({ description: "An attribute of the context object: the widget is shown while its value is one of 'values'." })),
    values: Type.Optional(Type.Array(Type.Union([Type.String(), Type.Boolean()]), { description: 'Enumeration keys (or true/false) for attribute.' })),
    roles: Type.Optional(
      Type.Array(Type.String(), {
        description: 'Module roles: only their users see the widget (the server leaves it out for others and refuses its operations).',
      }),
    ),
  },
  { additionalProperties: false },
);
const Conditional = {
  visible: Type.Optional(Condition),
  editable: Type.Optional(Condition),
};

const FileWidget = (description: string) =>
  Type.Object(
    {
      name: Name,
      ...Conditional,
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
    Type.Object(
      {
        nanoflow: Type.String({
          description: 'A data view only: the nanoflow (without parameters) run in the browser when the page opens; it returns the object shown.',
        }),
      },
      strict,
    ),
    Type.Object(
      {
        association: Type.String({
          description: "A data view inside another data widget only: the object the enclosing object's Reference points to (Module.Assoc).",
        }),
      },
      strict,
    ),
  ],
  { description: 'Where the widget gets its objects: {xpath, sort}, {microflow}, {parameter} or (a data view) {nanoflow}.' },
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
    Type.Object({ nanoflow: Type.String({ description: 'Nanoflow run in the browser with the selected or shown object.' }) }, strict),
    Type.Object(
      {
        openLink: Type.Union([
          Type.String({ description: 'The address: a web address (http or https), an e-mail address or a phone number, by linkType.' }),
          Type.Object({ attribute: Type.String({ description: 'A String attribute of the shown object holding the address.' }) }, strict),
        ]),
        linkType: Type.Optional(
          Type.Union([Type.Literal('web'), Type.Literal('email'), Type.Literal('call'), Type.Literal('text')], {
            description: 'web (default: opened in a new tab), email (mailto:), call (tel:) or text (sms:).',
          }),
        ),
      },
      strict,
    ),
  ],
  {
    description:
      'save | cancel | delete | close | {create, page} | {open} | {microflow, closePage, async, progressMessage} | {nanoflow} | {openLink, linkType}',
  },
);

const Button = Type.Object(
  {
    name: Name,
    ...Conditional,
    caption: Type.Optional(Text),
    action: ButtonAction,
    style: Type.Optional(Type.Union([Type.Literal('default'), Type.Literal('primary'), Type.Literal('danger')])),
    closePage: Type.Optional(Type.Boolean({ description: 'For save: close the page afterwards (default true).' })),
  },
  strict,
);
const Buttons = Type.Optional(Type.Array(Button));

const Column = Type.Union([
  Attribute,
  Type.Object(
    {
      attribute: Attribute,
      caption: Type.Optional(Type.String()),
      filter: Type.Optional(
        Type.Boolean({ description: "A filter in the column's header (text, number, date or drop-down by the attribute's type), also over a reference." }),
      ),
      hidden: Type.Optional(Type.Boolean({ description: 'Hidden until the user shows it (with columnsHidable).' })),
    },
    strict,
  ),
]);

const OnChange = Type.Optional(
  Type.Object(
    { nanoflow: Type.String({ description: 'Nanoflow run with the object when the user changed the value.' }) },
    { ...strict, description: 'On-change event.' },
  ),
);

const Input = (description: string) =>
  Type.Optional(
    Type.Object(
      { name: Name, ...Conditional, attribute: Attribute, label: Label, readOnly: Type.Optional(Type.Boolean()), onChange: OnChange },
      { ...strict, description },
    ),
  );

const Selector = (description: string) =>
  Type.Optional(
    Type.Object(
      {
        name: Name,
        ...Conditional,
        association: Type.String({ description: 'The association set by the selector.' }),
        attribute: Type.Optional(Type.String({ description: 'Attribute of the other end shown in the choices.' })),
        constraint: Type.Optional(
          Type.String({ description: "XPath constraint on the choices, '[...]' (tokens such as [%CurrentUser%] allowed), on top of entity access." }),
        ),
        sort: Type.Optional(Type.Array(SortKey, { description: 'Order of the choices (default: by the shown attribute).' })),
        label: Label,
        readOnly: Type.Optional(Type.Boolean()),
      },
      { ...strict, description },
    ),
  );

const NavItem = Type.Object({ caption: Type.String(), page: Type.String({ description: 'Module.Page opened (without parameters).' }) }, strict);

function widgetSchema(Self: TSchema) {
  const Widgets = Type.Optional(Type.Array(Self));
  const list = (extra: Record<string, TSchema>, description: string) =>
    Type.Optional(
      Type.Object(
        {
          name: Name,
          ...Conditional,
          caption: Type.Optional(Text),
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
      dataGrid: list(
        {
          columns: Type.Optional(Type.Array(Column)),
          selection: Type.Optional(
            Type.Union([Type.Literal('none'), Type.Literal('single'), Type.Literal('multiple')], {
              description: 'How many rows the user can select (default single); with multiple, a check box per row.',
            }),
          ),
          onClick: Type.Optional(Type.Object({ action: ButtonAction }, { ...strict, description: 'What a click on a row does: {open} or {microflow}.' })),
          columnsHidable: Type.Optional(Type.Boolean({ description: 'The user chooses the columns shown (kept in the browser).' })),
          export: Type.Optional(Type.Boolean({ description: 'Export buttons: CSV and Excel of the rows as filtered and sorted, shown columns only.' })),
          pagination: Type.Optional(
            Type.Union([Type.Literal('buttons'), Type.Literal('virtualScrolling')], {
              description: 'Paging buttons (default), or virtual scrolling: the next page of rows loads as the user scrolls to the end of the grid.',
            }),
          ),
        },
        'A paged, sortable, filterable grid of objects (Data Grid 2).',
      ),
      listView: list({ widgets: Widgets }, 'A list of objects, with widgets rendered per object.'),
      templateGrid: list(
        {
          widgets: Widgets,
          itemsPerRow: Type.Optional(Type.Integer({ minimum: 1, maximum: 12, description: 'Items side by side (default 3; one per row on narrow screens).' })),
        },
        'A grid of tiles (template grid, Gallery): widgets rendered per object, several objects per row.',
      ),
      dataView: Type.Optional(
        Type.Object(
          { name: Name, ...Conditional, caption: Type.Optional(Text), source: DataSource, widgets: Widgets, buttons: Buttons },
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
      dateTimePicker: Input("A date and time input, in the user's time zone (UTC for an attribute that is not localized)."),
      richText: Input('Rich text (HTML): a small editor (bold, italic, lists, links); shown sanitised, also read-only.'),
      checkBoxSet: Selector('Sets a ReferenceSet association with one check box per object (as referenceSetSelector).'),
      text: Type.Optional(
        Type.Object(
          {
            name: Name,
            text: Type.String({ description: 'Text with placeholders {1}, {2}, ... filled from params.' }),
            params: Type.Optional(Type.Array(Attribute, { description: "Attributes of the enclosing data view's object for {1}, {2}, ..." })),
          },
          { ...strict, description: 'Text with parameters (attribute values shown as the user sees them).' },
        ),
      ),
      image: Type.Optional(
        Type.Object(
          {
            name: Name,
            src: Type.Optional(
              Type.String({
                pattern: '^[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*\\.(png|jpe?g|gif|svg|webp)$',
                description: "A static image: a file under the app's images/ folder (served at /images/...).",
              }),
            ),
            attribute: Type.Optional(
              Type.String({
                description:
                  "A String attribute of the data view's or list item's object holding the image as a data: URL (data:image/png;base64,..., also jpeg, gif, webp, svg+xml); any other value shows no image.",
              }),
            ),
            alt: Type.Optional(Type.String({ description: 'Text alternative (default: none, a decorative image).' })),
            thumbnail: Type.Optional(Type.Boolean({ description: 'Without src, in a data view over an Image: its thumbnail instead of the whole image.' })),
            width: Type.Optional(Type.Integer({ minimum: 1, maximum: 4000, description: 'Width in pixels.' })),
            height: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 4000, description: 'Height in pixels (the image is scaled to fit, keeping its proportions).' }),
            ),
          },
          { ...strict, description: "An image: a static one (src) or the data view's Image object's contents (via /file, with entity access)." },
        ),
      ),
      badge: Type.Optional(
        Type.Object(
          {
            name: Name,
            attribute: Type.Optional(Attribute),
            text: Type.Optional(Type.String({ description: 'Fixed text (when no attribute).' })),
            style: Type.Optional(
              Type.Union([Type.Literal('default'), Type.Literal('info'), Type.Literal('success'), Type.Literal('warning'), Type.Literal('danger')]),
            ),
          },
          { ...strict, description: "A badge: an attribute's value (an enumeration's caption) or a fixed text, as a small pill." },
        ),
      ),
      navigationList: Type.Optional(
        Type.Object(
          { name: Name, items: Type.Array(NavItem) },
          { ...strict, description: 'A vertical list of links to pages (those the user may not open are left out).' },
        ),
      ),
      menuBar: Type.Optional(
        Type.Object(
          { name: Name, items: Type.Optional(Type.Array(NavItem, { description: "Default: the app's navigation menu." })) },
          { ...strict, description: 'A horizontal menu of pages.' },
        ),
      ),
      referenceSelector: Selector('Sets a Reference association from a drop-down.'),
      referenceSetSelector: Selector('Sets a ReferenceSet association from a list of check boxes.'),
      staticText: Type.Optional(
        Type.Union([
          Type.String(),
          Type.Object(
            {
              name: Name,
              ...Conditional,
              text: Type.Optional(Text),
              caption: Type.Optional(Text),
              heading: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)])),
            },
            strict,
          ),
        ]),
      ),
      dynamicText: Type.Optional(Type.Union([Attribute, Type.Object({ name: Name, ...Conditional, attribute: Attribute, label: Label }, strict)])),
      fileManager: Type.Optional(FileWidget("A FileDocument's contents in a data view over it: name, size, download, upload with progress.")),
      imageViewer: Type.Optional(FileWidget("An Image's thumbnail in a data view over it, with download and upload.")),
      button: Type.Optional(Button),
      container: Type.Optional(Type.Object({ name: Name, ...Conditional, widgets: Widgets, class: Type.Optional(Type.String()) }, strict)),
      layoutGrid: Type.Optional(
        Type.Object(
          {
            name: Name,
            ...Conditional,
            rows: Type.Array(
              Type.Object(
                {
                  columns: Type.Array(
                    Type.Object(
                      {
                        weight: Type.Optional(Type.Integer({ minimum: 1, maximum: 12, description: 'Width in twelfths (desktop).' })),
                        tabletWeight: Type.Optional(
                          Type.Integer({ minimum: 1, maximum: 12, description: 'Width in twelfths below 992 px (default: weight).' }),
                        ),
                        phoneWeight: Type.Optional(Type.Integer({ minimum: 1, maximum: 12, description: 'Width in twelfths below 576 px (default 12).' })),
                        widgets: Widgets,
                      },
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
      ...structureWidgets(Self),
    },
    { ...strict, minProperties: 1, maxProperties: 1, description: 'One widget: a single widget key.' },
  );
}

/** Containers, snippets and layout parts (kept apart from the data widgets above to keep each list short). */
function structureWidgets(Self: TSchema) {
  const Widgets = Type.Optional(Type.Array(Self));
  return {
    groupBox: Type.Optional(
      Type.Object(
        {
          name: Name,
          ...Conditional,
          caption: Type.Optional(Text),
          collapsible: Type.Optional(Type.Boolean({ description: 'The header opens and closes the box.' })),
          collapsed: Type.Optional(Type.Boolean({ description: 'Collapsible and initially closed.' })),
          widgets: Widgets,
        },
        { ...strict, description: 'A box with a caption; collapsible.' },
      ),
    ),
    tabContainer: Type.Optional(
      Type.Object(
        {
          name: Name,
          ...Conditional,
          tabs: Type.Array(Type.Object({ caption: Text, ...Conditional, widgets: Widgets }, strict), { minItems: 1 }),
        },
        { ...strict, description: 'Tabs with captions; one shown at a time (arrow keys move between tabs).' },
      ),
    ),
    scrollContainer: Type.Optional(
      Type.Object(
        {
          name: Name,
          ...Conditional,
          height: Type.Optional(Type.Integer({ minimum: 1, description: 'Height in pixels; the content scrolls inside.' })),
          widgets: Widgets,
        },
        { ...strict, description: 'A region of fixed height whose content scrolls.' },
      ),
    ),
    snippetCall: Type.Optional(
      Type.Object(
        {
          name: Name,
          ...Conditional,
          snippet: Type.String({ description: 'Module.Snippet' }),
          parameters: Type.Optional(
            Type.Record(Type.String(), Type.String({ pattern: '^\\$\\w+$', description: '$currentObject or $PageParameter' }), {
              description: "Snippet parameter -> argument: $currentObject (the enclosing data view's or list item's object) or a page parameter $Name.",
            }),
          ),
        },
        { ...strict, description: "A snippet's widgets, in place." },
      ),
    ),
    placeholder: Type.Optional(
      Type.Object(
        { name: Type.String({ description: 'main, or a name pages fill under placeholders.' }) },
        { ...strict, description: 'In a layout: where the page puts its widgets.' },
      ),
    ),
    navigationTree: Type.Optional(
      Type.Object(
        { name: Name, ...Conditional, orientation: Type.Optional(Type.Union([Type.Literal('vertical'), Type.Literal('horizontal')])) },
        { ...strict, description: "The app's menu (app.yaml navigation), without the pages the user may not open." },
      ),
    ),
    languageSelector: Type.Optional(
      Type.Object({ name: Name, ...Conditional }, { ...strict, description: "A drop-down of app.yaml's languages; the choice is the user's language." }),
    ),
    sidebarToggle: Type.Optional(
      Type.Object(
        { name: Name, ...Conditional },
        {
          ...strict,
          description:
            'In a layout with a sidebar (a layout grid column holding a vertical navigationTree): a button that collapses and expands it; the browser remembers the choice for the session.',
        },
      ),
    ),
  };
}

const Widget = Type.Recursive((Self) => widgetSchema(Self), { $id: 'Widget', title: 'Page widget' });

export const PageFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    title: Text,
    allowedRoles: Type.Optional(Type.Array(Type.String())),
    parameters: Type.Optional(Type.Record(Type.String(), Type.String({ description: 'Entity of the page parameter.' }))),
    popup: Type.Optional(Type.Boolean()),
    layout: Type.Optional(Type.String({ description: "Module.Layout the page is shown in (default: app.yaml's navigation.layout for full pages)." })),
    widgets: Type.Array(Widget, { description: "The page's content (a layout's main placeholder)." }),
    placeholders: Type.Optional(
      Type.Record(Type.String(), Type.Array(Widget), { description: "Widgets for the layout's other placeholders, by placeholder name." }),
    ),
    documentation: Type.Optional(Type.String()),
  },
  { additionalProperties: false, $id: 'https://kiln.dev/schema/page.json', title: 'Kiln page' },
);

export type PageFile = Static<typeof PageFile>;

/**
 * A layout (`modules/<Module>/layouts/<Name>.yaml`): the frame pages are shown in, with
 * the navigation and `placeholder` widgets (one named `main`) that pages fill.
 */
export const LayoutFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    widgets: Type.Array(Widget),
    documentation: Type.Optional(Type.String()),
  },
  { additionalProperties: false, $id: 'https://kiln.dev/schema/layout.json', title: 'Kiln layout' },
);
export type LayoutFile = Static<typeof LayoutFile>;

/**
 * A snippet (`modules/<Module>/snippets/<Name>.yaml`): widgets reused on several pages
 * through `snippetCall`, with entity parameters the call passes objects to.
 */
export const SnippetFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    parameters: Type.Optional(Type.Record(Type.String(), Type.String({ description: 'Entity of the parameter.' }))),
    widgets: Type.Array(Widget),
    documentation: Type.Optional(Type.String()),
  },
  { additionalProperties: false, $id: 'https://kiln.dev/schema/snippet.json', title: 'Kiln snippet' },
);
export type SnippetFile = Static<typeof SnippetFile>;
