type Path = (string | number)[];

/** The activities of a nanoflow body, with their paths, nested bodies included. */
export function* nanoflowActivities(body: unknown, path: Path): Generator<{ a: Record<string, unknown>; key: string; path: Path }> {
  if (!Array.isArray(body)) return;
  for (const [i, a] of body.entries()) {
    if (!a || typeof a !== 'object') continue;
    const act = a as Record<string, unknown>;
    const key = Object.keys(act).find((k) => k !== 'caption' && k !== 'onError');
    if (!key) continue;
    yield { a: act, key, path: [...path, i] };
    const d = act[key] as Record<string, unknown> | undefined;
    if (d && typeof d === 'object') {
      for (const k of ['then', 'else', 'body'] as const) yield* nanoflowActivities(d[k], [...path, i, key, k]);
      if (d.cases && typeof d.cases === 'object')
        for (const [c, b] of Object.entries(d.cases as Record<string, unknown>)) yield* nanoflowActivities(b, [...path, i, key, 'cases', c]);
    }
    // An error handler's activities run in the browser too.
    const onError = act.onError as Record<string, unknown> | undefined;
    if (onError && typeof onError === 'object')
      for (const k of ['customWithoutRollback', 'customWithRollback'] as const) yield* nanoflowActivities(onError[k], [...path, i, 'onError', k]);
  }
}
