import { Type, type Static } from '@sinclair/typebox';

/**
 * A JSON structure (`modules/<Module>/json-structures/<Name>.json` or `.yaml`):
 * a sample JSON document, as Mendix's JSON Structure document holds one. Import
 * and export mappings are declared against it and `kiln check` checks their
 * paths and types against the sample.
 */
export const JsonStructureFile = Type.Unknown({
  $id: 'https://kiln.dev/schema/json-structure.json',
  title: 'Kiln JSON structure (a sample JSON document)',
});

export type JsonStructureFile = Static<typeof JsonStructureFile>;

const Attributes = (where: string) => Type.Record(Type.String(), Type.String(), { description: `JSON key of ${where} -> attribute of its entity.` });
const Convert = (where: string) =>
  Type.Record(Type.String(), Type.String(), {
    description: `JSON key of ${where} -> converter microflow (Module.Name) that turns the value on its way: one parameter, import: JSON value -> attribute type, export: attribute type -> JSON value.`,
  });
const Find = Type.Array(Type.String(), {
  minItems: 1,
  description: 'Import: key attributes (mapped on this level) that find an existing object to update instead of creating one.',
});
const IfNotFound = Type.Union([Type.Literal('create'), Type.Literal('error'), Type.Literal('ignore')], {
  description: 'Import with find: create a new object (default), fail, or leave the JSON object out.',
});

/** A nested level: the JSON object (or each object of an array) under a key, over an association. */
const Child = Type.Recursive((self) =>
  Type.Object(
    {
      entity: Type.String({ description: 'Entity the nested object(s) map to.' }),
      association: Type.String({
        description:
          'Association between the parent entity and this one (either side may own it; a JSON array needs a reference set or the nested entity owning a reference).',
      }),
      attributes: Type.Optional(Attributes('the nested object')),
      convert: Type.Optional(Convert('the nested object')),
      find: Type.Optional(Find),
      ifNotFound: Type.Optional(IfNotFound),
      children: Type.Optional(Type.Record(Type.String(), self, { description: 'JSON key of a nested object or array -> how it maps.' })),
    },
    { additionalProperties: false },
  ),
);

/**
 * An import or export mapping (`modules/<Module>/mappings/<Name>.yaml`) between
 * the JSON of a structure and objects: the root JSON object (or each object of
 * a root array) maps to `entity`; nested objects and arrays map over
 * associations (references and reference sets).
 */
export const MappingFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    kind: Type.Union([Type.Literal('import'), Type.Literal('export')]),
    structure: Type.String({ description: 'The JSON structure (Module.Name or a name in this module).' }),
    entity: Type.String({ description: 'Entity of the root object.' }),
    commit: Type.Optional(
      Type.Union([Type.Boolean(), Type.Literal('withoutEvents')], {
        description: 'Import: commit the objects made or changed, with events (true), without events, or not (default false).',
      }),
    ),
    attributes: Type.Optional(Attributes('the root object')),
    convert: Type.Optional(Convert('the root object')),
    find: Type.Optional(Find),
    ifNotFound: Type.Optional(IfNotFound),
    children: Type.Optional(Type.Record(Type.String(), Child, { description: 'JSON key of a nested object or array -> how it maps.' })),
  },
  { additionalProperties: false, $id: 'https://kiln.dev/schema/mapping.json', title: 'Kiln import or export mapping' },
);

export type MappingFile = Static<typeof MappingFile>;
