import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * A microflow file (`modules/<Module>/microflows/<Name>.yaml`). The body is a
 * structured list of activities. Each activity is an object with exactly one
 * action key naming what it does (`retrieve`, `create`, `change`, `decision`,
 * `loop`, `call`, `return`, ...) plus optional `onError` and `caption`.
 * Expressions are strings in the Mendix expression language; variables are
 * written `$Name` where they are read and `Name` where they are declared
 * (`into`, `as`). The microflow engine (src/logic) checks and compiles it;
 * docs/microflows.md describes every activity.
 */
const Expr = (description: string) => Type.Union([Type.String(), Type.Number(), Type.Boolean()], { description: `Expression: ${description}` });
const VarRef = (description: string) => Type.String({ pattern: '^\\$[A-Za-z_][A-Za-z0-9_]*$', description: `Variable ($Name): ${description}` });
const VarName = Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Name of the variable to declare (without $).' });
const MemberValues = Type.Record(Type.String(), Expr('member value'), { description: 'Attribute or association name -> expression.' });
const CommitMode = Type.Union([Type.Boolean(), Type.Literal('withoutEvents')], {
  description: 'Commit after the change: false (default), true (with events), withoutEvents.',
});
const Template = Type.String({ description: 'Text with placeholders {1}, {2}, ... filled from params.' });
/** A message the user reads: one text, or one per language of app.yaml's `languages` (shown in the user's). */
const UserTemplate = Type.Union([Template, Type.Record(Type.String({ pattern: '^[a-z]{2}_[A-Z]{2}$' }), Type.String(), { minProperties: 1 })], {
  description: 'Text with placeholders {1}, {2}, ... filled from params; or one such text per language: {en_US: ..., nl_NL: ...}.',
});
const Params = Type.Array(Expr('placeholder value'), { description: 'Expressions for {1}, {2}, ...' });

/** The activity schema, shared by microflows and nanoflows. */
export function activitySchema(Self: TSchema) {
  const Body = Type.Array(Self);
  const OnError = Type.Union(
    [
      Type.Literal('rollback'),
      Type.Literal('continue'),
      Type.Object({ customWithRollback: Body }, { additionalProperties: false }),
      Type.Object({ customWithoutRollback: Body }, { additionalProperties: false }),
    ],
    {
      description:
        'Error handling: rollback (default: undo everything, error to the caller), continue (loops and activities: undo the activity and go on), customWithRollback or customWithoutRollback (run the handler activities; $latestError is set).',
    },
  );
  return Type.Object(
    {
      caption: Type.Optional(Type.String()),
      onError: Type.Optional(OnError),
      retrieve: Type.Optional(
        Type.Object(
          {
            from: Type.String({ description: 'Module.Entity (from the database) or $Object/Module.Association (by association).' }),
            xpath: Type.Optional(Type.String({ description: 'XPath constraint, brackets included.' })),
            sort: Type.Optional(Type.Array(Type.String({ description: '"Attribute" or "Attribute desc".' }))),
            range: Type.Optional(
              Type.Union([
                Type.Literal('all'),
                Type.Literal('first'),
                Type.Object({ offset: Type.Optional(Expr('offset')), amount: Type.Optional(Expr('amount (0 = all)')) }, { additionalProperties: false }),
              ]),
            ),
            into: VarName,
          },
          { additionalProperties: false },
        ),
      ),
      create: Type.Optional(
        Type.Object(
          { entity: Type.String(), set: Type.Optional(MemberValues), commit: Type.Optional(CommitMode), refresh: Type.Optional(Type.Boolean()), into: VarName },
          { additionalProperties: false },
        ),
      ),
      change: Type.Optional(
        Type.Object(
          {
            object: VarRef('the object to change'),
            set: Type.Optional(MemberValues),
            add: Type.Optional(MemberValues),
            remove: Type.Optional(MemberValues),
            commit: Type.Optional(CommitMode),
            refresh: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      ),
      commit: Type.Optional(
        Type.Union([
          VarRef('object or list to commit'),
          Type.Object(
            { objects: VarRef('object or list'), events: Type.Optional(Type.Boolean()), refresh: Type.Optional(Type.Boolean()) },
            { additionalProperties: false },
          ),
        ]),
      ),
      delete: Type.Optional(
        Type.Union([
          VarRef('object or list to delete'),
          Type.Object({ objects: VarRef('object or list'), refresh: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        ]),
      ),
      rollback: Type.Optional(
        Type.Union([
          VarRef('object or list to roll back'),
          Type.Object({ objects: VarRef('object or list'), refresh: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        ]),
      ),
      decision: Type.Optional(
        Type.Object(
          {
            if: Type.Optional(Expr('Boolean condition')),
            // biome-ignore lint/suspicious/noThenProperty: the model format's branch key (if/then/else), never awaited
            then: Type.Optional(Body),
            else: Type.Optional(Body),
            on: Type.Optional(Expr('enumeration, Boolean or object value to branch on (an object branches on its type)')),
            cases: Type.Optional(
              Type.Record(Type.String(), Body, {
                description: 'Enumeration key, or entity name for an object (its type or a generalization of it), or "empty" -> activities.',
              }),
            ),
          },
          { additionalProperties: false },
        ),
      ),
      loop: Type.Optional(Type.Object({ over: VarRef('list to iterate'), as: VarName, body: Body }, { additionalProperties: false })),
      while: Type.Optional(Type.Object({ condition: Expr('checked before each pass'), body: Body }, { additionalProperties: false })),
      break: Type.Optional(Type.Literal(true)),
      continue: Type.Optional(Type.Literal(true)),
      aggregate: Type.Optional(
        Type.Object(
          {
            list: VarRef('list'),
            function: Type.Union(['count', 'sum', 'average', 'min', 'max', 'all', 'any', 'reduce'].map((f) => Type.Literal(f))),
            attribute: Type.Optional(Type.String()),
            expression: Type.Optional(
              Type.String({
                description: 'Expression over $currentObject (all/any: Boolean; reduce: the next $currentResult from $currentResult and $currentObject).',
              }),
            ),
            initial: Type.Optional(Expr('reduce: the initial value of $currentResult')),
            returns: Type.Optional(Type.String({ description: 'reduce: the result type (default: the type of the initial value).' })),
            into: VarName,
          },
          { additionalProperties: false },
        ),
      ),
      listOperation: Type.Optional(
        Type.Object(
          {
            operation: Type.Union(
              [
                'union',
                'intersect',
                'subtract',
                'contains',
                'equals',
                'sort',
                'filter',
                'find',
                'filterByExpression',
                'findByExpression',
                'head',
                'tail',
                'range',
              ].map((o) => Type.Literal(o)),
            ),
            list: VarRef('the list'),
            other: Type.Optional(Type.String({ description: 'Second list or object ($Name) for union, intersect, subtract, contains, equals.' })),
            attribute: Type.Optional(Type.String({ description: 'Member for filter / find.' })),
            value: Type.Optional(Expr('value for filter / find')),
            expression: Type.Optional(Type.String({ description: 'Boolean expression over $currentObject (filterByExpression, findByExpression).' })),
            sort: Type.Optional(Type.Array(Type.String())),
            offset: Type.Optional(Expr('range offset')),
            amount: Type.Optional(Expr('range amount (0 = all)')),
            into: VarName,
          },
          { additionalProperties: false },
        ),
      ),
      changeList: Type.Optional(
        Type.Object(
          {
            list: VarRef('the list'),
            operation: Type.Union([Type.Literal('add'), Type.Literal('remove'), Type.Literal('clear'), Type.Literal('replace')]),
            value: Type.Optional(Expr('object or list')),
          },
          { additionalProperties: false },
        ),
      ),
      createList: Type.Optional(Type.Object({ entity: Type.String(), into: VarName }, { additionalProperties: false })),
      cast: Type.Optional(
        Type.Object(
          { object: VarRef('object to cast'), to: Type.String({ description: 'Specialization the object is (an error when it is not).' }), into: VarName },
          { additionalProperties: false, description: 'The object as one of its specializations (Mendix: cast object, in an object-type decision).' },
        ),
      ),
      createVariable: Type.Optional(
        Type.Object({ name: VarName, type: Type.String(), value: Type.Optional(Expr('initial value')) }, { additionalProperties: false }),
      ),
      changeVariable: Type.Optional(Type.Object({ name: VarName, value: Expr('new value') }, { additionalProperties: false })),
      call: Type.Optional(
        Type.Object(
          {
            microflow: Type.String(),
            with: Type.Optional(Type.Record(Type.String(), Expr('argument'))),
            into: Type.Optional(VarName),
            queue: Type.Optional(
              Type.String({
                description:
                  'Run the microflow in this task queue (Module.Name) instead of inline: enqueued when the calling transaction commits; arguments must be committed objects or primitives; no result.',
              }),
            ),
            delay: Type.Optional(Type.Number({ minimum: 0, description: 'With queue: seconds to wait before the task may start (default 0).' })),
            retry: Type.Optional(
              Type.Object(
                {
                  attempts: Type.Integer({ minimum: 1, maximum: 1000, description: 'Retries after a failed run (the task runs at most attempts + 1 times).' }),
                  interval: Type.Number({ minimum: 0, description: 'Seconds before the first retry.' }),
                  backoff: Type.Optional(
                    Type.Union([Type.Literal('fixed'), Type.Literal('exponential')], {
                      description: 'fixed (default): every retry after `interval`; exponential: the wait doubles after each retry, up to maxInterval.',
                    }),
                  ),
                  maxInterval: Type.Optional(
                    Type.Number({ minimum: 0, description: 'Exponential backoff: the longest wait in seconds (default one day, as in Mendix).' }),
                  ),
                },
                { additionalProperties: false, description: 'With queue: run the task again when it fails.' },
              ),
            ),
          },
          { additionalProperties: false },
        ),
      ),
      action: Type.Optional(
        Type.Object(
          {
            name: Type.String({ description: 'TypeScript action: file name in actions/ without extension.' }),
            with: Type.Optional(Type.Record(Type.String(), Expr('argument'))),
            into: Type.Optional(VarName),
            returns: Type.Optional(Type.String({ description: 'Type of the result (default Nothing).' })),
          },
          { additionalProperties: false },
        ),
      ),
      log: Type.Optional(
        Type.Object(
          {
            level: Type.Optional(Type.Union(['trace', 'debug', 'info', 'warning', 'error', 'critical'].map((l) => Type.Literal(l)))),
            node: Type.Optional(Type.String({ description: "Log node: a name (Shop.Orders) or a String expression ('Orders.' + $Kind); default the module." })),
            message: Template,
            params: Type.Optional(Params),
            includeLatestStackTrace: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      ),
      callRest: Type.Optional(
        Type.Object(
          {
            method: Type.Optional(
              Type.Union(
                ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((m) => Type.Literal(m)),
                { description: 'Default GET.' },
              ),
            ),
            location: Type.String({ description: 'URL template with placeholders {1}, {2}, ... filled from params (not encoded: use urlEncode).' }),
            params: Type.Optional(Params),
            headers: Type.Optional(Type.Record(Type.String(), Expr('header value (String)'))),
            basicAuth: Type.Optional(Type.Object({ user: Expr('user name'), password: Expr('password') }, { additionalProperties: false })),
            timeout: Type.Optional(Type.Number({ minimum: 0, description: 'Seconds before the call fails (default 300; 0 = none).' })),
            body: Type.Optional(Expr('request body (String), for POST, PUT, PATCH and OPTIONS')),
            proxy: Type.Optional(
              Type.Union(
                [
                  Type.Literal('none'),
                  Type.Object(
                    {
                      host: Expr('proxy host (String)'),
                      port: Expr('proxy port (Integer)'),
                      user: Type.Optional(Expr('user name')),
                      password: Type.Optional(Expr('password')),
                    },
                    { additionalProperties: false },
                  ),
                ],
                { description: "The call's proxy: 'none' (direct), or its own host and port instead of the HttpProxy* settings (default: the settings')." },
              ),
            ),
            fileBody: Type.Optional(VarRef('a FileDocument whose contents are the request body (binary)')),
            exportMapping: Type.Optional(
              Type.Object(
                { mapping: Type.String({ description: 'Export mapping (Module.Name).' }), value: VarRef('the object or list it exports') },
                { additionalProperties: false, description: 'Request body: the JSON an export mapping writes (set Content-Type yourself, as in Mendix).' },
              ),
            ),
            response: Type.Optional(
              Type.Union(
                [
                  Type.Literal('string'),
                  Type.Literal('httpResponse'),
                  Type.Literal('ignore'),
                  Type.Object({ importMapping: Type.String({ description: 'Import mapping (Module.Name).' }) }, { additionalProperties: false }),
                  Type.Object(
                    { fileDocument: Type.String({ description: 'Entity (System.FileDocument or a specialization) of the new object that stores the body.' }) },
                    { additionalProperties: false },
                  ),
                ],
                {
                  description:
                    'What into receives: the body as a String (default), the whole answer as a System.HttpResponse, nothing, the objects an import mapping makes of the JSON body, or a new FileDocument holding the body.',
                },
              ),
            ),
            into: Type.Optional(VarName),
          },
          {
            additionalProperties: false,
            description:
              'Call REST service: the answer goes into a String or System.HttpResponse variable and $latestHttpResponse; a non-2xx answer or a timeout is an error.',
          },
        ),
      ),
      showMessage: Type.Optional(
        Type.Object(
          {
            type: Type.Optional(Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('error')])),
            message: UserTemplate,
            params: Type.Optional(Params),
            blocking: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      ),
      validationFeedback: Type.Optional(
        Type.Object({ object: VarRef('object'), member: Type.String(), message: UserTemplate, params: Type.Optional(Params) }, { additionalProperties: false }),
      ),
      showPage: Type.Optional(
        Type.Object(
          {
            page: Type.String({ description: 'Page to open in the browser (Module.Page).' }),
            object: Type.Optional(VarRef('object for the page parameter')),
          },
          { additionalProperties: false, description: 'Opens a page in the client that called the microflow (when it returns).' },
        ),
      ),
      closePage: Type.Optional(Type.Literal(true, { description: 'Closes the page the calling client shows (the page of the button that called).' })),
      error: Type.Optional(
        Type.Union([Type.Literal(true), Type.Object({ message: UserTemplate, params: Type.Optional(Params) }, { additionalProperties: false })], {
          description: 'Error end event: true rethrows $latestError; with message raises a new error.',
        }),
      ),
      return: Type.Optional(Type.Union([Expr('return value'), Type.Null()])),
    },
    { additionalProperties: false, minProperties: 1, description: 'One activity: exactly one action key plus optional onError and caption.' },
  );
}

export const Activity = Type.Recursive((Self) => activitySchema(Self), { $id: 'Activity', title: 'Microflow activity' });

/** The action keys, in the order the engine documents them. */
export const ACTIVITY_KEYS = [
  'retrieve',
  'create',
  'change',
  'commit',
  'delete',
  'rollback',
  'decision',
  'loop',
  'while',
  'break',
  'continue',
  'aggregate',
  'listOperation',
  'changeList',
  'createList',
  'cast',
  'createVariable',
  'changeVariable',
  'call',
  'action',
  'callRest',
  'log',
  'showMessage',
  'validationFeedback',
  'showPage',
  'closePage',
  'error',
  'return',
] as const;
export type ActivityKey = (typeof ACTIVITY_KEYS)[number];

export const MicroflowFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    parameters: Type.Optional(
      Type.Record(
        Type.String(),
        Type.String({ description: 'Data type: Boolean, Integer, Long, Decimal, String, DateTime, Module.Enum, Module.Entity, or "List of Module.Entity".' }),
      ),
    ),
    returns: Type.Optional(Type.String({ description: 'Return type (default Nothing).' })),
    allowedRoles: Type.Optional(Type.Array(Type.String())),
    applyEntityAccess: Type.Optional(Type.Boolean()),
    disallowConcurrentExecution: Type.Optional(
      Type.Object(
        {
          message: Type.Optional(Type.String({ description: 'Shown to the user when the microflow is already running somewhere in the cluster.' })),
          microflow: Type.Optional(
            Type.String({ description: 'Run instead when the microflow is already running (Module.Name; gets the parameters of the same names).' }),
          ),
        },
        {
          additionalProperties: false,
          description:
            'At most one execution at a time across the whole cluster (a database lock); the other calls get the message or run the microflow instead.',
        },
      ),
    ),
    body: Type.Array(Activity),
    documentation: Type.Optional(Type.String()),
  },
  { additionalProperties: false, $id: 'https://kiln.dev/schema/microflow.json', title: 'Kiln microflow' },
);

export type MicroflowFile = Static<typeof MicroflowFile>;
export type ActivityDef = Static<typeof Activity>;
