import { Type, type Static } from '@sinclair/typebox';

const SecretValue = Type.Union([
  Type.String(),
  Type.Object(
    {
      env: Type.String({ description: 'Environment variable that holds the value.' }),
      default: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  ),
]);

export const PasswordPolicy = Type.Object(
  {
    minLength: Type.Optional(Type.Integer({ minimum: 1 })),
    requireDigit: Type.Optional(Type.Boolean()),
    requireSymbol: Type.Optional(Type.Boolean()),
    requireMixedCase: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const Security = Type.Object(
  {
    level: Type.Union([Type.Literal('off'), Type.Literal('prototype'), Type.Literal('production')]),
    adminUser: Type.Optional(
      Type.Object(
        {
          name: Type.String(),
          password: Type.Optional(SecretValue),
          role: Type.Optional(Type.String({ description: 'User role given to the administrator (default: the first user role).' })),
        },
        { additionalProperties: false },
      ),
    ),
    userRoles: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String(), { description: 'Module roles (Module.Role) this user role grants.' }))),
    manageableRoles: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.Literal('*'), Type.Array(Type.String())]), {
        description:
          "User role -> the user roles its users may give to and take from other users (System.grantableRoles; Mendix's manageable roles); '*' for all. Absent: a user role with System.Administrator manages all roles, others none.",
      }),
    ),
    anonymousRole: Type.Optional(Type.String({ description: 'User role of anonymous users; absent = anonymous users not allowed.' })),
    passwordPolicy: Type.Optional(PasswordPolicy),
    demoUsers: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String(),
            password: SecretValue,
            roles: Type.Array(Type.String()),
            entity: Type.Optional(Type.String({ description: 'An app entity specialising System.User (e.g. Library.Member) to create the demo user as.' })),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);

const MenuItem = Type.Object(
  {
    caption: Type.Union([Type.String(), Type.Record(Type.String({ pattern: '^[a-z]{2}_[A-Z]{2}$' }), Type.String())], {
      description: 'A text, or one text per language: {en_US: ..., nl_NL: ...}.',
    }),
    page: Type.Optional(Type.String()),
    microflow: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const Navigation = Type.Object(
  {
    home: Type.Optional(Type.String({ description: 'Default home page (Module.Page).' })),
    homeByRole: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'User role -> home page.' })),
    menu: Type.Optional(Type.Array(MenuItem)),
    layout: Type.Optional(Type.String({ description: 'Default layout (Module.Layout) of full pages that name none.' })),
  },
  { additionalProperties: false },
);

export const AppFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String(),
    version: Type.Optional(Type.String()),
    modules: Type.Array(Type.String(), { minItems: 1 }),
    security: Type.Optional(Security),
    navigation: Type.Optional(Navigation),
    languages: Type.Optional(
      Type.Array(Type.String({ pattern: '^[a-z]{2}_[A-Z]{2}$', description: 'A language code as Mendix writes it: en_US, nl_NL.' }), {
        minItems: 1,
        uniqueItems: true,
        description: 'Languages of the app; the first is the default. Texts may then be {en_US: ..., nl_NL: ...}.',
      }),
    ),
    clientTexts: Type.Optional(
      Type.Record(
        Type.String({ description: "A key of the client's own texts (docs/client.md lists them: save, cancel, pagerRangeOf, ...)." }),
        Type.Union([Type.String(), Type.Record(Type.String({ pattern: '^[a-z]{2}_[A-Z]{2}$' }), Type.String(), { minProperties: 1 })]),
        { description: "Overrides of the browser client's own texts (buttons, paging, dialogs), one text or one per language." },
      ),
    ),
    defaultTimeZone: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "IANA time zone of users whose System.User_TimeZone is empty (Mendix's app setting 'Default time zone'); without it the browser's zone is shown and the server works in UTC.",
      }),
    ),
    settings: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
        description: 'Runtime settings (see docs/settings.md); overridden by the settings file and environment variables.',
      }),
    ),
    constants: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]), {
        description: 'Values for module constants (Module.Constant), overriding their defaults.',
      }),
    ),
    afterStartup: Type.Optional(
      Type.String({
        description:
          'Microflow (Module.Name, no parameters, returns Boolean) each instance runs at start-up before it serves requests; false, an error or AfterStartupTimeout fails the start.',
      }),
    ),
    beforeShutdown: Type.Optional(
      Type.String({ description: 'Microflow (Module.Name, no parameters) each instance runs at a graceful stop, after the last request.' }),
    ),
    scheduledEventTimeZone: Type.Optional(
      Type.String({
        minLength: 1,
        description: "IANA time zone of the scheduled events that name none (Mendix's app setting 'Scheduled event time zone'). Default UTC.",
      }),
    ),
    documentation: Type.Optional(Type.String()),
  },
  { additionalProperties: false, $id: 'https://kiln.dev/schema/app.json', title: 'Kiln app' },
);

export type AppFile = Static<typeof AppFile>;
export type SecretValueDef = Static<typeof SecretValue>;
export type PasswordPolicyDef = Static<typeof PasswordPolicy>;
export type NavigationDef = Static<typeof Navigation>;
