import { Type, type Static } from '@sinclair/typebox';

/**
 * A scheduled event (`modules/<Module>/scheduled-events/<Name>.yaml`), as
 * Mendix's Scheduled Event document: a parameterless microflow run with full
 * rights at `start + k * interval`, once per period across the cluster. The
 * background component (src/background/scheduled) runs it;
 * docs/scheduled-events.md describes it.
 */
const ScheduledEventUnit = Type.Union(
  [
    Type.Literal('seconds'),
    Type.Literal('minutes'),
    Type.Literal('hours'),
    Type.Literal('days'),
    Type.Literal('weeks'),
    Type.Literal('months'),
    Type.Literal('years'),
  ],
  { description: "Mendix's units plus seconds (which Mendix lacks), for tests and fast jobs." },
);

export const ScheduledEventFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    microflow: Type.String({ minLength: 1, description: 'Module.Microflow: parameterless; runs with full rights (system context).' }),
    interval: Type.Object(
      {
        every: Type.Integer({ minimum: 1, maximum: 1000000, description: 'How many units between two periods.' }),
        unit: ScheduledEventUnit,
      },
      { additionalProperties: false },
    ),
    start: Type.String({
      minLength: 1,
      description:
        'First period, ISO 8601 (2026-01-01T00:00:00Z); periods are start + k * interval. Without an offset it is read in timeZone. Calendar units keep the local time of day; a missing day falls on the last day of the month.',
    }),
    overlap: Type.Optional(
      Type.Union([Type.Literal('skip'), Type.Literal('delay')], {
        description:
          'When the previous run is still running at the next period: skip that period (default, recorded as Skipped) or delay it until the previous run ends.',
      }),
    ),
    enabled: Type.Optional(
      Type.Boolean({
        description:
          'Runs when ScheduledEventExecution is ALL (the default). SPECIFIED runs the events MyScheduledEvents names whatever this says. Default true.',
      }),
    ),
    timeZone: Type.Optional(
      Type.String({
        minLength: 1,
        description: "IANA time zone of the calendar arithmetic (Europe/Amsterdam). Default: app.yaml's scheduledEventTimeZone, else UTC.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type ScheduledEventFile = Static<typeof ScheduledEventFile>;
