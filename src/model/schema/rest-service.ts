import { Type, type Static } from '@sinclair/typebox';

/**
 * A published REST service (`modules/<Module>/rest/<Name>.yaml`), as Mendix's
 * Published REST Service document: a location, resources, and per resource the
 * operations, each backed by a microflow whose parameters are bound from the
 * request (path, query, header, body). The integration component (src/integration)
 * serves it; docs/rest.md describes it.
 */
const Method = Type.Union([Type.Literal('GET'), Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('PATCH'), Type.Literal('DELETE')]);

const ParameterBinding = Type.Object(
  {
    source: Type.Union([Type.Literal('path'), Type.Literal('query'), Type.Literal('header'), Type.Literal('body')], {
      description: 'Where the value comes from. Default: path when the operation path has {Name}; body for an object or list; query otherwise.',
    }),
    name: Type.Optional(Type.String({ minLength: 1, description: 'The query parameter or header name when it differs from the microflow parameter.' })),
    required: Type.Optional(Type.Boolean({ description: 'Query and header parameters: refuse the request (400) when missing. Default false.' })),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** How a JSON body becomes objects (an import mapping by attribute names). */
const ImportDef = Type.Object(
  {
    mapping: Type.Optional(
      Type.String({ description: 'An import mapping (Module.Name) of a JSON structure; instead of attributes and associations (its own commit applies).' }),
    ),
    attributes: Type.Optional(
      Type.Array(Type.String(), { description: 'Attributes set from the JSON keys of the same name; default every writable attribute.' }),
    ),
    associations: Type.Optional(
      Type.Record(
        Type.String({ description: 'A Reference association the entity owns (Module.Association).' }),
        Type.Object(
          { key: Type.String({ description: "Attribute of the associated entity that finds the existing object (the JSON key's nested object holds it)." }) },
          { additionalProperties: false },
        ),
        { description: 'Nested JSON objects under the association name that refer to existing objects, found by key (an unknown key is a 400).' },
      ),
    ),
    commit: Type.Optional(
      Type.Union([Type.Boolean(), Type.Literal('withoutEvents')], {
        description: 'Commit the imported objects before the microflow runs: true (with events and validation), withoutEvents, false (default).',
      }),
    ),
  },
  { additionalProperties: false },
);

/** How returned objects become JSON (an export mapping by attribute names). */
const ExportDef = Type.Object(
  {
    mapping: Type.Optional(Type.String({ description: 'An export mapping (Module.Name) of a JSON structure; instead of attributes and associations.' })),
    attributes: Type.Optional(
      Type.Array(Type.String(), {
        description: 'Attributes written as JSON keys; default every attribute. Members the caller may not read are left out per object.',
      }),
    ),
    associations: Type.Optional(
      Type.Record(
        Type.String({ description: 'A Reference association the entity owns (Module.Association).' }),
        Type.Object({ attributes: Type.Optional(Type.Array(Type.String())) }, { additionalProperties: false }),
        { description: 'The associated object written as a nested JSON object under the association name (null when empty or not readable).' },
      ),
    ),
  },
  { additionalProperties: false },
);

const Operation = Type.Object(
  {
    method: Method,
    path: Type.Optional(Type.String({ description: "Rest of the URL after the resource, e.g. '{Number}'; '' (default) = the resource itself." })),
    microflow: Type.String({ description: 'Module.Microflow run for the request.' }),
    summary: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    parameters: Type.Optional(
      Type.Record(Type.String(), ParameterBinding, { description: 'Microflow parameter -> where it comes from (only to override the defaults).' }),
    ),
    import: Type.Optional(ImportDef),
    export: Type.Optional(ExportDef),
  },
  { additionalProperties: false },
);

const Resource = Type.Object(
  {
    description: Type.Optional(Type.String()),
    operations: Type.Array(Operation, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export const Cors = Type.Object(
  {
    allowedOrigins: Type.Array(Type.String(), { description: "Origins allowed to call the service from a browser ('*' = any, without credentials)." }),
    allowCredentials: Type.Optional(Type.Boolean()),
    maxAge: Type.Optional(Type.Integer({ minimum: 0, description: 'Seconds a preflight answer may be cached.' })),
  },
  { additionalProperties: false },
);

export const RestServiceFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    location: Type.Optional(
      Type.String({
        description:
          'URL path of the service, default rest/<name in lower case>/v1; segments after the first may be path parameters {Name}, passed to every operation microflow parameter of that name.',
      }),
    ),
    version: Type.Optional(Type.String({ description: 'Version shown in the OpenAPI document (default 1.0.0).' })),
    description: Type.Optional(Type.String()),
    authentication: Type.Optional(
      Type.Array(Type.Union([Type.Literal('custom'), Type.Literal('basic'), Type.Literal('session')]), {
        description:
          'Accepted authentication methods, tried in Mendix order: custom (authenticationMicroflow), basic (the app users), session (cookie + X-Csrf-Token). Empty or absent = none.',
      }),
    ),
    authenticationMicroflow: Type.Optional(
      Type.String({
        description:
          "Custom authentication: the microflow (parameters System.HttpRequest / System.HttpResponse) that returns the caller's System.User; empty = try the next method.",
      }),
    ),
    authenticationParameters: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Object(
          {
            source: Type.Union([Type.Literal('query'), Type.Literal('header')]),
            name: Type.Optional(Type.String({ minLength: 1, description: 'The query parameter or header name when it differs from the microflow parameter.' })),
            required: Type.Optional(Type.Boolean({ description: 'Refuse the request (400) when missing. Default false (empty).' })),
          },
          { additionalProperties: false },
        ),
        { description: 'Primitive parameters of the authentication microflow -> the query parameter or header they come from (as in Mendix).' },
      ),
    ),
    allowedRoles: Type.Optional(Type.Array(Type.String(), { description: 'Module roles that may call the service (authenticated services).' })),
    cors: Type.Optional(Cors),
    resources: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_\\-]+$' }), Resource, { description: 'Resource name (first path segment) -> its operations.' }),
    documentation: Type.Optional(Type.String()),
  },
  { additionalProperties: false, $id: 'https://kiln.dev/schema/rest-service.json', title: 'Kiln published REST service' },
);

export type RestServiceFile = Static<typeof RestServiceFile>;
