import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { serialize } from 'bson';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkFolder } from '../../src/cli/import-command.js';
import { type ImportReport, importMendix } from '../../src/import/index.js';
import { loadModel } from '../../src/model/index.js';
import { modelChecks } from '../../src/app/model-checks.js';
import { buildRegistry } from '../../src/client-api/registry/index.js';
import { userContextFor } from '../../src/security/contexts.js';
import { buildClientPage } from '../../src/web-client/build-page.js';
import { ConditionTable } from '../../src/web-client/conditions.js';
import { startInstance } from '../support/kiln-instance.js';

// The integration layer of a Mendix project, built in Mendix's BSON format (as Studio Pro stores
// it, see ../shared/fixtures) into a model.mdp stream: a JSON structure with its import and export
// mappings, a microflow with a REST call that sends one and maps the answer with the other, a
// REST call with a string template body, a published REST operation over those mappings, a
// published OData microflow and a menu document shown by a layout's menu bar.
const SLOW = 180_000;
type Node = Record<string, unknown>;

const attr = (name: string, type: string) => ({
  $Type: 'DomainModels$Attribute',
  Name: name,
  NewType: { $Type: `DomainModels$${type}AttributeType` },
  Value: { $Type: 'DomainModels$StoredValue', DefaultValue: '' },
});
const entity = (id: string, name: string, attributes: Node[]) => ({
  $ID: id,
  $Type: 'DomainModels$EntityImpl',
  Name: name,
  MaybeGeneralization: { $Type: 'DomainModels$NoGeneralization', Persistable: true },
  Attributes: attributes,
});
const domain = {
  $Type: 'DomainModels$DomainModel',
  QualifiedName: 'Shop.DomainModel',
  Entities: [entity('eo', 'Order', [attr('Number', 'Integer'), attr('Total', 'Decimal')]), entity('ec', 'Customer', [attr('Name', 'String')])],
  Associations: [{ $Type: 'DomainModels$Association', Name: 'Order_Customer', ParentPointer: 'eo', ChildPointer: 'ec', Type: 'Reference', Owner: 'Default' }],
};

const structure = {
  $Type: 'JsonStructures$JsonStructure',
  QualifiedName: 'Shop.OrderJson',
  Name: 'OrderJson',
  JsonSnippet: '{\r\n  "number": 1,\r\n  "total": 2.5,\r\n  "customer": { "name": "a" },\r\n  "comment": "not mapped"\r\n}',
};
const value = (kind: 'Import' | 'Export', attribute: string, path: string, extra: Node = {}) => ({
  $Type: `${kind}Mappings$ValueMappingElement`,
  Attribute: attribute,
  JsonPath: path,
  ElementType: 'Value',
  IsKey: false,
  Converter: '',
  ...extra,
});
/** Order with number and total, its customer (found by name on import) nested under "customer". */
const mapping = (kind: 'Import' | 'Export', name: string) => ({
  $Type: `${kind}Mappings$${kind}Mapping`,
  QualifiedName: `Shop.${name}`,
  Name: name,
  JsonStructure: 'Shop.OrderJson',
  Elements: [
    {
      $Type: `${kind}Mappings$ObjectMappingElement`,
      Entity: 'Shop.Order',
      Association: '',
      JsonPath: '(Object)',
      ElementType: 'Object',
      ObjectHandling: kind === 'Import' ? 'Create' : 'Parameter',
      Children: [
        value(kind, 'Shop.Order.Number', '(Object)|number'),
        value(kind, 'Shop.Order.Total', '(Object)|total'),
        {
          $Type: `${kind}Mappings$ObjectMappingElement`,
          Entity: 'Shop.Customer',
          Association: 'Shop.Order_Customer',
          JsonPath: '(Object)|customer',
          ElementType: 'Object',
          ObjectHandling: kind === 'Import' ? 'Find' : 'Parameter',
          ObjectHandlingBackup: 'Create',
          Children: [value(kind, 'Shop.Customer.Name', '(Object)|customer|name', { IsKey: kind === 'Import' })],
        },
      ],
    },
  ],
});

const start = { $ID: 's', $Type: 'Microflows$StartEvent' };
const param = (id: string, name: string, type: Node) => ({ $ID: id, $Type: 'Microflows$MicroflowParameterObject', Name: name, VariableType: type });
const string = { $Type: 'DataTypes$StringType' };
const order = { $Type: 'DataTypes$ObjectType', Entity: 'Shop.Order' };
/** A microflow: start -> the activity -> end (returning `returns`). */
function microflow(name: string, params: Node[], action: Node | undefined, returnValue: string, returnType: Node): Node {
  const objects: Node[] = [start, ...params, { $ID: 'e', $Type: 'Microflows$EndEvent', ReturnValue: returnValue }];
  if (action) objects.push({ $ID: 'a', $Type: 'Microflows$ActionActivity', Caption: 'Activity', Action: action });
  const flows = action ? [['s', 'a'] as const, ['a', 'e'] as const] : [['s', 'e'] as const];
  return {
    $Type: 'Microflows$Microflow',
    QualifiedName: `Shop.${name}`,
    Name: name,
    AllowedModuleRoles: [],
    ObjectCollection: { $Type: 'Microflows$MicroflowObjectCollection', Objects: objects },
    Flows: flows.map(([from, to]) => ({
      $Type: 'Microflows$SequenceFlow',
      OriginPointer: from,
      DestinationPointer: to,
      IsErrorHandler: false,
      CaseValues: [],
    })),
    MicroflowReturnType: returnType,
  };
}
const http = (method: string, text: string, params: string[], extra: Node = {}) => ({
  $Type: 'Microflows$HttpConfiguration',
  HttpMethod: method,
  OverrideLocation: true,
  CustomLocationTemplate: {
    $Type: 'Microflows$StringTemplate',
    Text: text,
    Parameters: params.map((p) => ({ $Type: 'Microflows$TemplateParameter', Expression: p })),
  },
  HttpHeaderEntries: [{ $Type: 'Microflows$HttpHeaderEntry', Key: 'Content-Type', Value: "'application/json' " }],
  UseHttpAuthentication: false,
  ClientCertificate: '',
  ...extra,
});
/** POST the order through the export mapping, map the answer with the import mapping (committed). */
const quote = microflow(
  'REST_Quote',
  [param('p1', 'Order', order), param('p2', 'Base', string)],
  {
    $Type: 'Microflows$RestCallAction',
    ErrorHandlingType: 'Rollback',
    HttpConfiguration: http('Post', '{1}/quote', ['$Base'], {
      UseHttpAuthentication: true,
      HttpAuthenticationUserName: "'api'",
      HttpAuthenticationPassword: "'s3cret'",
    }),
    RequestHandlingType: 'Mapping',
    RequestHandling: { $Type: 'Microflows$MappingRequestHandling', ContentType: 'Json', MappingId: 'Shop.EXM_Order', MappingVariableName: 'Order' },
    RequestProxyType: 'DefaultProxy',
    ResultHandlingType: 'Mapping',
    ResultHandling: {
      $Type: 'Microflows$ResultHandling',
      Bind: true,
      ImportMappingCall: { $Type: 'Microflows$ImportMappingCall', Commit: 'Yes', ContentType: 'Json', ReturnValueMapping: 'Shop.IMM_Order' },
      ResultVariableName: 'Quoted',
      VariableType: order,
    },
    UseRequestTimeOut: true,
    TimeOutExpression: '5',
  },
  '$Quoted',
  order,
);
/** A body from a string template (a quote in its text), the answer as a String. */
const note = microflow(
  'REST_Note',
  [param('p1', 'Who', string), param('p2', 'Base', string)],
  {
    $Type: 'Microflows$RestCallAction',
    ErrorHandlingType: 'Rollback',
    HttpConfiguration: http('Put', '{1}/note/{2}', ['$Base', "urlEncode('x y')"]),
    RequestHandlingType: 'Custom',
    RequestHandling: {
      $Type: 'Microflows$CustomRequestHandling',
      Template: {
        $Type: 'Microflows$StringTemplate',
        Text: "note for {1}: it's {2}",
        Parameters: ['$Who', '40 + 2'].map((e) => ({ $Type: 'Microflows$TemplateParameter', Expression: e })),
      },
    },
    RequestProxyType: 'NoProxy',
    ResultHandlingType: 'String',
    ResultHandling: { $Type: 'Microflows$ResultHandling', ResultVariableName: 'Answer', VariableType: string },
    UseRequestTimeOut: false,
  },
  '$Answer',
  string,
);
const count = microflow('CountOrders', [], undefined, '42', { $Type: 'DataTypes$IntegerType' });
/** Import with mapping: no Kiln activity of its own (reported). */
const mapOnly = microflow(
  'MapOnly',
  [param('p1', 'Json', string)],
  {
    $Type: 'Microflows$ImportXmlAction',
    ErrorHandlingType: 'Rollback',
    XmlDocumentVariableName: 'Json',
    ResultHandling: {
      $Type: 'Microflows$ResultHandling',
      ImportMappingCall: { $Type: 'Microflows$ImportMappingCall', Commit: 'Yes', ContentType: 'Json', ReturnValueMapping: 'Shop.IMM_Order' },
      ResultVariableName: 'Imported',
    },
  },
  '',
  { $Type: 'DataTypes$VoidType' },
);

const restParam = (name: string, type: string, mf: string) => ({
  $Type: 'Rest$RestOperationParameter',
  Name: name,
  ParameterType: type,
  MicroflowParameter: mf,
});
const restService = {
  $Type: 'Rest$PublishedRestService',
  QualifiedName: 'Shop.QuoteApi',
  Name: 'QuoteApi',
  Path: 'rest/quote/v1',
  AuthenticationTypes: [],
  AllowedRoles: [],
  Parameters: [],
  Resources: [
    {
      $Type: 'Rest$PublishedRestServiceResource',
      Name: 'quotes',
      Operations: [
        {
          $Type: 'Rest$PublishedRestServiceOperation',
          HttpMethod: 'Post',
          Path: '',
          Microflow: 'Shop.REST_Quote',
          Parameters: [restParam('Order', 'Body', 'Shop.REST_Quote.Order'), restParam('base', 'Query', 'Shop.REST_Quote.Base')],
          ImportMapping: 'Shop.IMM_Order',
          ExportMapping: 'Shop.EXM_Order',
          Commit: 'Yes',
        },
        {
          $Type: 'Rest$PublishedRestServiceOperation',
          HttpMethod: 'Get',
          Path: 'note',
          Microflow: 'Shop.REST_Note',
          Parameters: [restParam('Who', 'Query', 'Shop.REST_Note.Who'), restParam('Base', 'Query', 'Shop.REST_Note.Base')],
        },
      ],
    },
  ],
};
const odataService = {
  $Type: 'ODataPublish$PublishedODataService2',
  QualifiedName: 'Shop.SalesOData',
  Name: 'SalesOData',
  Path: 'odata/sales/v1',
  Namespace: 'Shop',
  AuthenticationTypes: [],
  AllowedRoles: [],
  EntityTypes: [
    {
      $ID: 't1',
      $Type: 'ODataPublish$EntityType',
      Entity: 'Shop.Order',
      ExposedName: 'Order',
      ChildMembers: [{ $Type: 'ODataPublish$PublishedAttribute', Attribute: 'Shop.Order.Number', ExposedName: 'Number' }],
    },
  ],
  EntitySets: [{ $Type: 'ODataPublish$EntitySet', ExposedName: 'Orders', EntityTypePointer: 't1', ReadMode: { $Type: 'ODataPublish$ReadSource' } }],
  Microflows: [{ $Type: 'ODataPublish$PublishedMicroflow', Microflow: 'Shop.CountOrders', ExposedName: 'CountOrders', Parameters: [] }],
};

const text = (t: string) => ({ $Type: 'Texts$Text', Items: [{ $Type: 'Texts$Translation', LanguageCode: 'en_US', Text: t }] });
const menuItem = (caption: string, action: Node, items: Node[] = []) => ({ $Type: 'Menus$MenuItem', Caption: text(caption), Action: action, Items: items });
const openHome = { $Type: 'Forms$FormAction', FormSettings: { $Type: 'Forms$FormSettings', Form: 'Shop.Home' } };
const menu = {
  $Type: 'Menus$MenuDocument',
  QualifiedName: 'Shop.MainMenu',
  Name: 'MainMenu',
  ItemCollection: {
    $Type: 'Menus$MenuItemCollection',
    Items: [
      menuItem('Home', openHome),
      menuItem('Count', { $Type: 'Forms$MicroflowAction', MicroflowSettings: { $Type: 'Forms$MicroflowSettings', Microflow: 'Shop.CountOrders' } }),
      menuItem('More', { $Type: 'Forms$NoAction' }, [menuItem('Start', openHome)]),
    ],
  },
};
const menuSource = { $Type: 'Forms$MenuDocumentSource', Menu: 'Shop.MainMenu' };
const layout = {
  $Type: 'Forms$Layout',
  QualifiedName: 'Shop.Frame',
  Name: 'Frame',
  Content: {
    $Type: 'Forms$WebLayoutContent',
    LayoutType: 'Responsive',
    Widgets: [
      { $Type: 'Forms$MenuBar', Name: 'menuBar1', MenuSource: menuSource },
      { $Type: 'Forms$NavigationTree', Name: 'tree1', MenuSource: menuSource },
      { $Type: 'Forms$MenuBar', Name: 'menuBar2', MenuSource: { $Type: 'Forms$NavigationSource', NavigationProfile: 'Responsive' } },
      { $Type: 'Forms$Placeholder', Name: 'Main' },
    ],
  },
};
const page = {
  $Type: 'Forms$Page',
  QualifiedName: 'Shop.Home',
  Name: 'Home',
  Title: text('Home'),
  FormCall: {
    $Type: 'Forms$FormCall',
    Form: 'Shop.Frame',
    Arguments: [{ $Type: 'Forms$FormCallArgument', Parameter: 'Shop.Frame.Main', Widgets: [{ $Type: 'Forms$Label', Name: 'l1', Caption: text('Welcome') }] }],
  },
};

const UNITS = [
  domain,
  structure,
  mapping('Import', 'IMM_Order'),
  mapping('Export', 'EXM_Order'),
  quote,
  note,
  count,
  mapOnly,
  restService,
  odataService,
  menu,
  layout,
  page,
];

describe('kiln import: JSON structures, mappings, REST calls, published operations and menus', () => {
  let dir: string;
  let out: string;
  let report: ImportReport;
  const read = (f: string) => parse(readFileSync(join(out, f), 'utf8'));
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kiln-import-integration-'));
    writeFileSync(join(dir, 'model.mdp'), Buffer.concat(UNITS.map((u) => serialize(u))));
    out = join(dir, 'app');
    report = await importMendix(join(dir, 'model.mdp'), out, { check: checkFolder });
  }, SLOW);

  it('writes the structure, the mappings, the REST calls, the services and the menu as Kiln files that kiln check accepts', async () => {
    const { model, diagnostics } = await loadModel(out, { checks: modelChecks() });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(JSON.parse(readFileSync(join(out, 'modules/Shop/json-structures/OrderJson.json'), 'utf8'))).toEqual({
      number: 1,
      total: 2.5,
      customer: { name: 'a' },
      comment: 'not mapped',
    });
    expect(read('modules/Shop/mappings/IMM_Order.yaml')).toEqual({
      kind: 'import',
      structure: 'OrderJson',
      entity: 'Order',
      commit: true,
      attributes: { number: 'Number', total: 'Total' },
      children: { customer: { entity: 'Customer', association: 'Order_Customer', attributes: { name: 'Name' }, find: ['Name'] } },
    });
    expect(read('modules/Shop/mappings/EXM_Order.yaml')).toEqual({
      kind: 'export',
      structure: 'OrderJson',
      entity: 'Order',
      attributes: { number: 'Number', total: 'Total' },
      children: { customer: { entity: 'Customer', association: 'Order_Customer', attributes: { name: 'Name' } } },
    });
    expect(read('modules/Shop/microflows/REST_Quote.yaml').body).toEqual([
      {
        callRest: {
          method: 'POST',
          location: '{1}/quote',
          params: ['$Base'],
          headers: { 'Content-Type': "'application/json'" },
          basicAuth: { user: "'api'", password: "'s3cret'" },
          timeout: 5,
          exportMapping: { mapping: 'Shop.EXM_Order', value: '$Order' },
          response: { importMapping: 'Shop.IMM_Order' },
          into: 'Quoted',
        },
      },
      { return: '$Quoted' },
    ]);
    expect(read('modules/Shop/microflows/REST_Note.yaml').body[0].callRest).toEqual({
      method: 'PUT',
      location: '{1}/note/{2}',
      params: ['$Base', "urlEncode('x y')"],
      headers: { 'Content-Type': "'application/json'" },
      proxy: 'none',
      body: "'note for ' + toString($Who) + ': it''s ' + toString(40 + 2)",
      into: 'Answer',
    });
    expect(read('modules/Shop/rest/QuoteApi.yaml').resources.quotes.operations[0]).toEqual({
      method: 'POST',
      microflow: 'Shop.REST_Quote',
      parameters: { Base: { source: 'query', name: 'base' } },
      import: { mapping: 'Shop.IMM_Order' },
      export: { mapping: 'Shop.EXM_Order' },
    });
    expect(read('modules/Shop/odata/SalesOData.yaml').actions).toEqual({ CountOrders: { microflow: 'Shop.CountOrders' } });
    // The menu document becomes the items of the widgets that show it; the navigation's menu bar stays the app's navigation.
    const items = [
      { caption: 'Home', page: 'Shop.Home' },
      { caption: 'Start', page: 'Shop.Home' },
    ];
    expect(read('modules/Shop/layouts/Frame.yaml').widgets).toEqual([
      { menuBar: { items } },
      { navigationList: { items } },
      { navigationTree: { orientation: 'horizontal' } },
      { placeholder: { name: 'main' } },
    ]);
    // The page shows its layout with the menu's items (pages this user may open).
    const user = userContextFor(model!, {
      userId: 1n,
      userName: 'u',
      userEntity: 'System.User',
      userRoles: [],
      anonymous: false,
      sessionId: 's',
      sessionObjectId: 2n,
    });
    const home = buildClientPage(model!, buildRegistry(model!), model!.pages.get('Shop.Home')!, user, ConditionTable.compile(model!, []));
    expect(home.layout?.widgets.slice(0, 2)).toEqual([
      { type: 'menuBar', items },
      { type: 'navigationList', items },
    ]);
    expect(model!.mappings?.size).toBe(2);
    for (const kind of ['json structure', 'import mapping', 'export mapping', 'published REST service', 'published OData service'])
      expect(report.kinds[kind], kind).toMatchObject({ partial: 0, skipped: 0 });
    expect(report.kinds.microflow).toEqual({ full: 3, partial: 1, skipped: 0 });
    expect(report.kinds['menu document']).toEqual({ full: 0, partial: 1, skipped: 0 });
    expect(report.notes).toEqual([
      'microflow Shop.MapOnly: import with mapping Shop.IMM_Order left out (Kiln runs mappings in callRest and published REST operations; it has no activity that runs one alone)',
      "menu document Shop.MainMenu: item 'Count' left out (MicroflowAction: Kiln's menu items open pages)",
      "menu document Shop.MainMenu: sub-items of 'More' flattened",
    ]);
  });

  it(
    'runs them: the published operation maps the body, the REST call sends the order to a real HTTP server and maps its answer',
    async () => {
      const seen: { method: string; url: string; auth?: string; body: string }[] = [];
      const server: Server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => {
          body += c.toString();
        });
        req.on('end', () => {
          seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
          if (req.url === '/quote') {
            const o = JSON.parse(body) as { number: number; total: number; customer: { name: string } };
            res.setHeader('content-type', 'application/json');
            return void res.end(JSON.stringify({ number: o.number + 1, total: o.total * 2, customer: { name: o.customer.name.toUpperCase() } }));
          }
          res.end(`noted: ${body}`);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const kiln = await startInstance({ appDir: out, db: `sqlite:${join(dir, 'app.db')}`, deploymentDir: dir });
      try {
        const res = await fetch(`${kiln.base}/rest/quote/v1/quotes?base=${encodeURIComponent(base)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ number: 1, total: 2.5, customer: { name: 'ann' }, comment: 'ignored' }),
        });
        expect(res.status).toBe(200);
        // The answer of the remote service, mapped into an Order (and its new Customer), exported again.
        expect(await res.json()).toEqual({ number: 2, total: 5, customer: { name: 'ANN' } });
        const call = seen.find((s) => s.url === '/quote')!;
        expect(call.method).toBe('POST');
        expect(call.auth).toBe(`Basic ${Buffer.from('api:s3cret').toString('base64')}`);
        // The export mapping wrote only the mapped keys of the body the operation had imported.
        expect(JSON.parse(call.body)).toEqual({ number: 1, total: 2.5, customer: { name: 'ann' } });
        // Both imports committed (the operation's and the call's "Commit: Yes"): two orders, customers ann and ANN.
        const orders = await fetch(`${kiln.base}/odata/sales/v1/Orders?$orderby=Number`);
        expect(((await orders.json()) as { value: { Number: number }[] }).value.map((o) => o.Number)).toEqual([1, 2]);

        const noteRes = await fetch(`${kiln.base}/rest/quote/v1/quotes/note?Who=bob&Base=${encodeURIComponent(base)}`);
        expect(noteRes.status).toBe(200);
        expect(await noteRes.text()).toBe("noted: note for bob: it's 42");
        expect(seen.find((s) => s.url.startsWith('/note/'))).toMatchObject({ method: 'PUT', url: '/note/x+y' });

        const action = await fetch(`${kiln.base}/odata/sales/v1/CountOrders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        expect(action.status).toBe(200);
        expect(((await action.json()) as { value: unknown }).value).toBe(42);
      } finally {
        await kiln.kill();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
    SLOW,
  );
});

describe('kiln import: converter microflows and an operation whose mapping does not check', () => {
  const integer = { $Type: 'DataTypes$IntegerType' };
  const customer = { $Type: 'DataTypes$ObjectType', Entity: 'Shop.Customer' };
  // Mendix's "convert using": the number goes through Shop.NumberIn on its way in.
  const withConverter = mapping('Import', 'IMM_Conv') as Node & { Elements: { Children: Node[] }[] };
  withConverter.Elements[0]!.Children[0] = value('Import', 'Shop.Order.Number', '(Object)|number', { Converter: 'Shop.NumberIn' });
  const numberIn = microflow('NumberIn', [param('p1', 'N', integer)], undefined, '$N + 1', integer);
  const saveCustomer = microflow(
    'REST_Customer',
    [param('p1', 'Customer', customer), param('p2', 'Tenant', string), param('p3', 'Channel', string)],
    undefined,
    '$Customer',
    customer,
  );
  // The operation's body is a Customer, but its import mapping makes an Order: kiln check refuses the mapping.
  const service = {
    ...restService,
    QualifiedName: 'Shop.ConvApi',
    Name: 'ConvApi',
    // Service parameters: one in the location, a header every operation may take, one the location lacks.
    Path: 'rest/conv/{Tenant}/v1',
    Parameters: [restParam('Tenant', 'Path', ''), restParam('Channel', 'Header', ''), restParam('Region', 'Path', '')],
    Resources: [
      {
        $Type: 'Rest$PublishedRestServiceResource',
        Name: 'customers',
        Operations: [
          {
            $Type: 'Rest$PublishedRestServiceOperation',
            HttpMethod: 'Post',
            Path: '',
            Microflow: 'Shop.REST_Customer',
            Parameters: [restParam('Customer', 'Body', 'Shop.REST_Customer.Customer')],
            ImportMapping: 'Shop.IMM_Conv',
            Commit: 'Yes',
          },
        ],
      },
    ],
  };
  it(
    'maps the converter to the mapping and keeps the operation without the mapping kiln check refuses',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'kiln-import-convert-'));
      writeFileSync(join(dir, 'model.mdp'), Buffer.concat([domain, structure, withConverter, numberIn, saveCustomer, service].map((u) => serialize(u))));
      const out = join(dir, 'app');
      const report = await importMendix(join(dir, 'model.mdp'), out, { check: checkFolder });
      const read = (f: string) => parse(readFileSync(join(out, f), 'utf8'));
      const { diagnostics } = await loadModel(out, { checks: modelChecks() });
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(read('modules/Shop/mappings/IMM_Conv.yaml')).toMatchObject({ attributes: { number: 'Number', total: 'Total' }, convert: { number: 'NumberIn' } });
      expect(report.kinds['import mapping']).toEqual({ full: 1, partial: 0, skipped: 0 });
      const api = read('modules/Shop/rest/ConvApi.yaml');
      expect(api.location).toBe('rest/conv/{Tenant}/v1');
      expect(api.resources.customers.operations).toEqual([
        { method: 'POST', microflow: 'Shop.REST_Customer', parameters: { Channel: { source: 'header' } }, import: { commit: true } },
      ]);
      expect(report.notes).toEqual([
        'published REST service Shop.ConvApi: service parameter {Region} left out: the location rest/conv/{Tenant}/v1 does not have it',
        'published REST service Shop.ConvApi: operation POST customers: import mapping Shop.IMM_Conv left out: Shop.IMM_Conv maps one Shop.Order, but the body parameter is Shop.Customer',
      ]);
      // The operation takes the tenant from the location and the channel from its header.
      const kiln = await startInstance({ appDir: out, db: `sqlite:${join(dir, 'app.db')}`, deploymentDir: dir });
      try {
        const res = await fetch(`${kiln.base}/rest/conv/acme/v1/customers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', Channel: 'web' },
          body: JSON.stringify({ Name: 'ann' }),
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ Name: 'ann' });
        // The body is committed, as the operation's "Commit: Yes" asked of the mapping.
        const stored = new Database(join(dir, 'app.db'), { readonly: true });
        expect(stored.prepare('SELECT name FROM shop$customer').all()).toEqual([{ name: 'ann' }]);
        stored.close();
      } finally {
        await kiln.kill();
      }
    },
    SLOW,
  );
});
