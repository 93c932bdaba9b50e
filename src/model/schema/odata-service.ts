import { Type, type Static } from '@sinclair/typebox';
import { Cors } from './rest-service.js';

/**
 * A published OData v4 service (`modules/<Module>/odata/<Name>.yaml`), as Mendix's
 * Published OData Service document: a location, entity sets (an entity under an
 * exposed name, the attributes and associations published, capabilities), the
 * authentication of published REST, allowed roles. The integration component
 * (src/integration/odata/) serves it; docs/odata.md describes it.
 */
const Capabilities = Type.Object(
  {
    readable: Type.Optional(Type.Boolean({ description: 'GET of the set and its entities. Default true.' })),
    insertable: Type.Optional(Type.Boolean({ description: 'POST new entities. Default false.' })),
    updatable: Type.Optional(Type.Boolean({ description: 'PATCH entities. Default false.' })),
    deletable: Type.Optional(Type.Boolean({ description: 'DELETE entities. Default false.' })),
    countable: Type.Optional(Type.Boolean({ description: '$count=true and /$count. Default true.' })),
    topSkip: Type.Optional(Type.Boolean({ description: '$top and $skip. Default true.' })),
  },
  { additionalProperties: false },
);

const EntitySet = Type.Object(
  {
    entity: Type.String({ description: 'The published entity, Module.Entity (or Entity of the service module). Must be persistable.' }),
    exposedName: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Name of the entity type. Default: the entity name.' })),
    description: Type.Optional(Type.String()),
    attributes: Type.Optional(
      Type.Array(Type.String(), { description: 'Attributes published as properties. Default: every attribute but Binary and HashedString.' }),
    ),
    associations: Type.Optional(
      Type.Record(
        Type.String({ description: 'Module.Association (or Association of the service module).' }),
        Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
        {
          description:
            'Associations published as navigation properties, by the name they get. The entity at the other end must be published in the service too. Default: none.',
        },
      ),
    ),
    capabilities: Type.Optional(Capabilities),
    pageSize: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100000,
        description: 'Server-driven paging: at most this many entities per answer, then @odata.nextLink. Default: no paging.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ODataServiceFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    location: Type.Optional(Type.String({ description: 'URL path of the service, default odata/<name in lower case>/v1.' })),
    version: Type.Optional(Type.String({ description: 'Service version shown in $metadata and the documentation (default 1.0.0).' })),
    namespace: Type.Optional(
      Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$', description: 'CSDL namespace. Default DefaultNamespace.' }),
    ),
    description: Type.Optional(Type.String()),
    authentication: Type.Optional(
      Type.Array(Type.Union([Type.Literal('basic'), Type.Literal('session')]), {
        description: 'Accepted authentication methods in Mendix order: basic (the app users), session (cookie + X-Csrf-Token). Empty or absent = none.',
      }),
    ),
    allowedRoles: Type.Optional(Type.Array(Type.String(), { description: 'Module roles that may call the service (authenticated services).' })),
    cors: Type.Optional(Cors),
    entitySets: Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), EntitySet, {
      description: 'Entity set name (URL segment) -> what it publishes.',
    }),
    actions: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
        Type.Object(
          {
            microflow: Type.String({ description: 'Module.Microflow run for POST <location>/<Action>.' }),
            description: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
        {
          description:
            'Microflows exposed as OData actions (unbound action imports): parameters of primitive or enumeration types from the JSON body, the result (a primitive, or an object or list of a published entity) as {"value": ...}.',
        },
      ),
    ),
  },
  { additionalProperties: false, $id: 'https://kiln.dev/schema/odata-service.json', title: 'Kiln published OData service' },
);

export type ODataServiceFile = Static<typeof ODataServiceFile>;
