import { Type, type Static } from '@sinclair/typebox';

/**
 * The domain-model file of one module (`modules/<Module>/domain-model.yaml`).
 * Names follow the Mendix metamodel (entity, attribute, association owner, delete
 * behaviour, access rule with member accesses) so that a second front end — real
 * Mendix model files — can fill the same compiled model.
 */

const Doc = Type.Optional(Type.String({ description: 'Free documentation text.' }));

/** Attribute types as Mendix names them; `String(100)` and `Enumeration(M.E)` are shorthands. */
const ATTRIBUTE_TYPES = ['String', 'Integer', 'Long', 'Decimal', 'Boolean', 'DateTime', 'Enumeration', 'AutoNumber', 'Binary', 'HashedString'] as const;

export const AttributeSpec = Type.Object(
  {
    type: Type.String({ description: `One of ${ATTRIBUTE_TYPES.join(', ')}; shorthands String(100), String(unlimited), Enumeration(Module.Enum).` }),
    length: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0 }), Type.Literal('unlimited')], { description: 'String length; 0 or "unlimited" means unlimited. Default 200.' }),
    ),
    enumeration: Type.Optional(Type.String({ description: 'Enumeration name (Module.Enum or a name in this module) for Enumeration attributes.' })),
    default: Type.Optional(
      Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()], {
        description: 'Default value; DateTime accepts an ISO UTC literal or [%CurrentDateTime%].',
      }),
    ),
    localize: Type.Optional(Type.Boolean({ description: "DateTime only: shown in the user's time zone (default true); false = UTC, e.g. birthdays." })),
    previousName: Type.Optional(
      Type.String({ description: 'The name this attribute had before a rename, so that schema sync renames the column instead of dropping it.' }),
    ),
    calculated: Type.Optional(
      Type.String({
        description:
          'Module.Microflow that computes the value each time the object is read (Mendix: a calculated attribute). It takes the object as its one parameter and returns the attribute type; the attribute has no column, is never writable and cannot be used in XPath or sorting.',
      }),
    ),
    documentation: Doc,
  },
  { additionalProperties: false },
);

/** An attribute is either a type shorthand (`String`, `String(50)`, `Decimal`) or a full spec. */
const Attribute = Type.Union([Type.String(), AttributeSpec]);

const Message = Type.Union([Type.String(), Type.Record(Type.String({ pattern: '^[a-z]{2}_[A-Z]{2}$' }), Type.String(), { minProperties: 1 })], {
  description: "Message shown to the user when the rule fails: one text, or one per language ({en_US: ..., nl_NL: ...}), shown in the user's.",
});

const ValidationRule = Type.Object(
  {
    attribute: Type.String(),
    required: Type.Optional(Message),
    unique: Type.Optional(Message),
    range: Type.Optional(
      Type.Object(
        {
          min: Type.Optional(Type.Union([Type.Number(), Type.String()])),
          max: Type.Optional(Type.Union([Type.Number(), Type.String()])),
          message: Message,
        },
        { additionalProperties: false },
      ),
    ),
    regex: Type.Optional(Type.Object({ pattern: Type.String(), message: Message }, { additionalProperties: false })),
    maxLength: Type.Optional(Type.Object({ length: Type.Integer({ minimum: 1 }), message: Message }, { additionalProperties: false })),
  },
  { additionalProperties: false, description: 'Exactly one of required, unique, range, regex, maxLength.' },
);

const EventHandler = Type.Object(
  {
    moment: Type.Union([Type.Literal('before'), Type.Literal('after')]),
    event: Type.Union([Type.Literal('create'), Type.Literal('commit'), Type.Literal('delete'), Type.Literal('rollback')]),
    microflow: Type.String({ description: 'Module.Microflow called with the object (not for before create).' }),
    raiseErrorOnFalse: Type.Optional(Type.Boolean({ description: 'Before-handlers: raise an error when the microflow returns false (default true).' })),
    passEventObject: Type.Optional(Type.Boolean({ description: 'Pass the object as the parameter (default true).' })),
  },
  { additionalProperties: false },
);

const MemberList = Type.Union([Type.Literal('*'), Type.Array(Type.String())]);

const AccessRule = Type.Object(
  {
    roles: Type.Array(Type.String(), { minItems: 1, description: 'Module roles of this module the rule applies to.' }),
    create: Type.Optional(Type.Boolean()),
    delete: Type.Optional(Type.Boolean()),
    read: Type.Optional(MemberList),
    write: Type.Optional(MemberList),
    xpath: Type.Optional(Type.String({ description: "XPath constraint, e.g. [Sales.Order_Customer/Sales.Customer/System.owner = '[%CurrentUser%]']." })),
    documentation: Doc,
  },
  { additionalProperties: false },
);

const IndexSpec = Type.Object(
  {
    name: Type.Optional(Type.String()),
    attributes: Type.Array(
      Type.Union([Type.String(), Type.Object({ attribute: Type.String(), descending: Type.Optional(Type.Boolean()) }, { additionalProperties: false })]),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);

const SystemMembers = Type.Object(
  {
    createdDate: Type.Optional(Type.Boolean()),
    changedDate: Type.Optional(Type.Boolean()),
    owner: Type.Optional(Type.Boolean()),
    changedBy: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const Entity = Type.Object(
  {
    persistable: Type.Optional(Type.Boolean({ description: 'Default true.' })),
    generalization: Type.Optional(Type.String({ description: 'Qualified name of the generalization, e.g. System.User.' })),
    systemMembers: Type.Optional(SystemMembers),
    attributes: Type.Optional(Type.Record(Type.String(), Attribute)),
    validation: Type.Optional(Type.Array(ValidationRule)),
    events: Type.Optional(Type.Array(EventHandler)),
    access: Type.Optional(Type.Array(AccessRule)),
    indexes: Type.Optional(Type.Array(IndexSpec)),
    previousName: Type.Optional(Type.String({ description: 'Name before a rename (keeps the table and its rows).' })),
    documentation: Doc,
  },
  { additionalProperties: false },
);

export const DeleteBehaviorValue = Type.Union([
  Type.Literal('keep'),
  Type.Literal('cascade'),
  Type.Object({ prevent: Type.String({ description: 'Error message shown when the delete is prevented.' }) }, { additionalProperties: false }),
]);

const Association = Type.Object(
  {
    type: Type.Optional(Type.Union([Type.Literal('Reference'), Type.Literal('ReferenceSet')], { description: 'Default Reference.' })),
    parent: Type.String({ description: 'Owner entity (where the arrow starts); a name in this module or Module.Entity.' }),
    child: Type.String({ description: 'Referred entity; a name in this module or Module.Entity.' }),
    owner: Type.Optional(Type.Union([Type.Literal('Default'), Type.Literal('Both')])),
    storage: Type.Optional(
      Type.Union([Type.Literal('table'), Type.Literal('column')], {
        description:
          "Where the database keeps the association. table (default): an association table module$association. column (a Reference only, Mendix 10's default): a column module$association on the parent's table.",
      }),
    ),
    deleteBehavior: Type.Optional(
      Type.Object(
        {
          parent: Type.Optional(DeleteBehaviorValue),
          child: Type.Optional(DeleteBehaviorValue),
        },
        {
          additionalProperties: false,
          description: 'parent: what deleting a parent object does to its associated child objects; child: what deleting a child does to its parents.',
        },
      ),
    ),
    previousName: Type.Optional(Type.String()),
    documentation: Doc,
  },
  { additionalProperties: false },
);

const Enumeration = Type.Record(
  Type.String(),
  Type.Union([
    Type.String({ description: 'Caption.' }),
    Type.Object(
      {
        caption: Type.Union([Type.String(), Type.Record(Type.String({ pattern: '^[a-z]{2}_[A-Z]{2}$' }), Type.String(), { minProperties: 1 })], {
          description: "Caption, or one per language of app.yaml's languages ({en_US: Draft, nl_NL: Concept}; the default language's first).",
        }),
        image: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
  ]),
);

const Constant = Type.Object(
  {
    type: Type.String({ description: 'String, Integer, Long, Decimal, Boolean or DateTime.' }),
    default: Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]),
    exposedToClient: Type.Optional(Type.Boolean()),
    documentation: Doc,
  },
  { additionalProperties: false },
);

export const DomainModelFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    moduleRoles: Type.Optional(Type.Array(Type.String())),
    enumerations: Type.Optional(Type.Record(Type.String(), Enumeration)),
    constants: Type.Optional(Type.Record(Type.String(), Constant)),
    entities: Type.Optional(Type.Record(Type.String(), Entity)),
    associations: Type.Optional(Type.Union([Type.Record(Type.String(), Association), Type.Null()])),
    documentation: Doc,
  },
  { additionalProperties: false, $id: 'https://kiln.dev/schema/domain-model.json', title: 'Kiln domain model' },
);

export type DomainModelFile = Static<typeof DomainModelFile>;
export type EntityDef = Static<typeof Entity>;
export type AttributeSpecDef = Static<typeof AttributeSpec>;
export type DeleteBehaviorDef = Static<typeof DeleteBehaviorValue>;
