import { Type, type Static } from '@sinclair/typebox';

/**
 * A task queue (`modules/<Module>/task-queues/<Name>.yaml`), as Mendix's Task
 * Queue document: how many tasks run at a time, per instance or across the
 * cluster. A microflow call activity with `queue: Module.Name` runs its
 * microflow there instead of inline (src/background/queues, docs/task-queues.md).
 */
export const TaskQueueFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    threads: Type.Integer({
      minimum: 1,
      maximum: 40,
      description: 'Tasks of this queue run at a time: on each instance (scope instance) or in the whole cluster (scope cluster). Mendix allows 1 to 40.',
    }),
    scope: Type.Optional(
      Type.Union([Type.Literal('instance'), Type.Literal('cluster')], {
        description: 'instance (default): `threads` on every instance; cluster: `threads` in total, shared out over the live instances.',
      }),
    ),
    documentation: Type.Optional(Type.String()),
  },
  { additionalProperties: false, $id: 'https://kiln.dev/schema/task-queue.json', title: 'Kiln task queue' },
);

export type TaskQueueFile = Static<typeof TaskQueueFile>;
