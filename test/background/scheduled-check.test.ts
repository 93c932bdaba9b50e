import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadModel } from '../../src/model/index.js';
import { selectEvents } from '../../src/background/scheduled/selection.js';
import { Settings } from '../../src/core/settings.js';
import { writeApp } from '../support/app-folder.js';

/** `kiln check` on scheduled-event files: located errors, and the compiled event. */
const APP = 'name: T\nmodules: [Ops]\n';
const MICROFLOWS = {
  'modules/Ops/domain-model.yaml': 'entities: {}\n',
  'modules/Ops/microflows/Nightly.yaml': 'body: []\n',
  'modules/Ops/microflows/WithParam.yaml': 'parameters: { Text: String }\nbody: []\n',
};

async function check(events: Record<string, string>) {
  const files: Record<string, string> = { 'app.yaml': APP, ...MICROFLOWS };
  for (const [name, text] of Object.entries(events)) files[`modules/Ops/scheduled-events/${name}.yaml`] = text;
  const { model, diagnostics } = await loadModel(writeApp(files));
  return { model, messages: diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic) };
}

describe('kiln check: scheduled events', () => {
  it('compiles a valid event with its defaults', async () => {
    const { model, messages } = await check({
      Nightly: 'microflow: Nightly\ninterval: { every: 1, unit: days }\nstart: "2026-01-01T02:00"\ntimeZone: Europe/Amsterdam\n',
    });
    expect(messages).toEqual([]);
    const ev = model!.scheduledEvents!.get('Ops.Nightly')!;
    expect(ev).toMatchObject({ microflow: 'Ops.Nightly', every: 1, unit: 'days', overlap: 'skip', enabled: true, timeZone: 'Europe/Amsterdam' });
    // Without an offset the start is read in the event's zone (CET in January).
    expect(new Date(ev.startMs).toISOString()).toBe('2026-01-01T01:00:00.000Z');
  });

  it('reports an unknown microflow, one with parameters, a bad unit, every, start and zone, each where it is written', async () => {
    const { messages } = await check({
      Unknown: 'microflow: Ops.Nope\ninterval: { every: 1, unit: days }\nstart: "2026-01-01T00:00:00Z"\n',
      Param: 'microflow: Ops.WithParam\ninterval: { every: 1, unit: days }\nstart: "2026-01-01T00:00:00Z"\n',
      Unit: 'microflow: Ops.Nightly\ninterval: { every: 1, unit: fortnights }\nstart: "2026-01-01T00:00:00Z"\n',
      Every: 'microflow: Ops.Nightly\ninterval: { every: 0, unit: days }\nstart: "2026-01-01T00:00:00Z"\n',
      Start: 'microflow: Ops.Nightly\ninterval: { every: 1, unit: days }\nstart: "next tuesday"\n',
      Date: 'microflow: Ops.Nightly\ninterval: { every: 1, unit: days }\nstart: "2026-02-30T00:00:00Z"\n',
      Zone: 'microflow: Ops.Nightly\ninterval: { every: 1, unit: days }\nstart: "2026-01-01T00:00:00Z"\ntimeZone: Mars/Olympus\n',
    });
    const find = (file: string) => messages.filter((m) => m.startsWith(`modules/Ops/scheduled-events/${file}.yaml`));
    expect(find('Unknown')).toEqual([expect.stringMatching(/:1 microflow: unknown microflow 'Ops\.Nope'/)]);
    expect(find('Param')).toEqual([
      expect.stringMatching(/:1 microflow: the microflow Ops\.WithParam of a scheduled event must have no parameters \(it has Text\)/),
    ]);
    expect(find('Unit').join('\n')).toMatch(/:2 interval\.unit: .*seconds/);
    expect(find('Every').join('\n')).toMatch(/:2 interval\.every: expected integer to be greater or equal to 1/);
    expect(find('Start')).toEqual([expect.stringMatching(/:3 start: start 'next tuesday' is not an ISO 8601 date and time/)]);
    expect(find('Date')).toEqual([expect.stringMatching(/:3 start: start '2026-02-30T00:00:00Z' is not a valid date and time/)]);
    expect(find('Zone')).toEqual([expect.stringMatching(/:4 timeZone: unknown time zone 'Mars\/Olympus'/)]);
  });

  it("takes the zone from app.yaml's scheduledEventTimeZone when the event names none", async () => {
    const files = {
      'app.yaml': `${APP}scheduledEventTimeZone: America/New_York\n`,
      ...MICROFLOWS,
      'modules/Ops/scheduled-events/Own.yaml': 'microflow: Nightly\ninterval: { every: 1, unit: days }\nstart: "2026-01-01T02:00"\ntimeZone: UTC\n',
      'modules/Ops/scheduled-events/App.yaml': 'microflow: Nightly\ninterval: { every: 1, unit: days }\nstart: "2026-01-01T02:00"\n',
    };
    const { model } = await loadModel(writeApp(files));
    expect(model!.scheduledEvents!.get('Ops.Own')!.timeZone).toBe('UTC');
    expect(model!.scheduledEvents!.get('Ops.App')!.timeZone).toBe('America/New_York');
    expect(new Date(model!.scheduledEvents!.get('Ops.App')!.startMs).toISOString()).toBe('2026-01-01T07:00:00.000Z');
    const bad = await loadModel(writeApp({ ...files, 'app.yaml': `${APP}scheduledEventTimeZone: Atlantis/Capital\n` }));
    expect(bad.diagnostics.map(formatDiagnostic)).toContainEqual(
      expect.stringMatching(/^app\.yaml:3 scheduledEventTimeZone: unknown time zone 'Atlantis\/Capital'/),
    );
  });

  it('chooses the events per deployment: ALL (enabled ones), NONE, SPECIFIED', async () => {
    const { model } = await check({
      A: 'microflow: Nightly\ninterval: { every: 1, unit: hours }\nstart: "2026-01-01T00:00:00Z"\n',
      B: 'microflow: Nightly\ninterval: { every: 1, unit: hours }\nstart: "2026-01-01T00:00:00Z"\nenabled: false\n',
    });
    const names = (s: Record<string, string>) => selectEvents(model!, new Settings(new Map(Object.entries(s) as [string, string][]))).map((e) => e.name);
    expect(names({})).toEqual(['Ops.A']);
    expect(names({ ScheduledEventExecution: 'NONE' })).toEqual([]);
    expect(names({ ScheduledEventExecution: 'SPECIFIED', MyScheduledEvents: 'Ops.B' })).toEqual(['Ops.B']);
    expect(() => names({ ScheduledEventExecution: 'SPECIFIED', MyScheduledEvents: 'Ops.A, Ops.C' })).toThrow(
      "MyScheduledEvents names no scheduled event 'Ops.C' (the model's: Ops.A, Ops.B)",
    );
    expect(() => names({ ScheduledEventExecution: 'SOME' })).toThrow("ScheduledEventExecution must be ALL, NONE or SPECIFIED, not 'SOME'");
  });
});
