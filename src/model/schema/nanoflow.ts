import { Type, type Static } from '@sinclair/typebox';
import { activitySchema } from './microflow.js';

/**
 * A nanoflow file (`modules/<Module>/nanoflows/<Name>.yaml`): the microflow language
 * running in the browser. The body uses the microflow activities that make sense
 * there (docs/nanoflows.md lists them; `kiln check` refuses the others with a located
 * error) plus two of the client's own: `closePage` and `showPage`.
 */
const NanoflowActivity = Type.Recursive(
  (Self) =>
    activitySchema(Self, {
      closePage: Type.Optional(Type.Literal(true, { description: 'Close the page the nanoflow was started from.' })),
      showPage: Type.Optional(
        Type.Object(
          {
            page: Type.String({ description: 'Module.Page to open.' }),
            object: Type.Optional(Type.String({ pattern: '^\\$[A-Za-z_][A-Za-z0-9_]*$', description: 'Variable ($Name) passed as the page parameter.' })),
          },
          { additionalProperties: false },
        ),
      ),
    }),
  { $id: 'NanoflowActivity', title: 'Nanoflow activity' },
);

export const NanoflowFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    parameters: Type.Optional(
      Type.Record(Type.String(), Type.String({ description: 'Data type: Boolean, Integer, Long, Decimal, String, DateTime, Module.Enum or Module.Entity.' })),
    ),
    returns: Type.Optional(Type.String({ description: 'Return type (default Nothing).' })),
    body: Type.Array(NanoflowActivity),
    documentation: Type.Optional(Type.String()),
  },
  { additionalProperties: false, $id: 'https://kiln.dev/schema/nanoflow.json', title: 'Kiln nanoflow' },
);

export type NanoflowFile = Static<typeof NanoflowFile>;
