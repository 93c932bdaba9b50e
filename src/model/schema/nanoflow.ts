import { Type, type Static } from '@sinclair/typebox';
import { activitySchema } from './microflow.js';

/**
 * A nanoflow file (`modules/<Module>/nanoflows/<Name>.yaml`): the microflow language
 * running in the browser. The body uses the microflow activities that make sense
 * there (docs/nanoflows.md lists them; `kiln check` refuses the others with a located
 * error); `showPage` and `closePage` act at once in the browser, where a microflow's
 * take effect when it returns.
 */
const NanoflowActivity = Type.Recursive((Self) => activitySchema(Self), { $id: 'NanoflowActivity', title: 'Nanoflow activity' });

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
