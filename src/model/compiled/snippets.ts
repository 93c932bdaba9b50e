import type { CSnippet } from './types.js';

type Json = unknown;
type JsonObject = Record<string, unknown>;

const isObject = (v: Json): v is JsonObject => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The widgets of a snippet as they stand where it is called: its parameters replaced by
 * the call's arguments. A data view over a parameter passed `$currentObject` shows the
 * enclosing object, so it becomes a container of its widgets and buttons (they then
 * work on that object, as the widgets around the call do); one passed a page parameter
 * `$Name` becomes a data view over that page parameter. Nested calls pass the
 * arguments on. The result has the snippet's shape otherwise, so a path inside it is
 * also a path in the snippet's file. Pure; the walkers of pages call it once per call.
 */
export function instantiateSnippet(snippet: CSnippet, args: Readonly<Record<string, string>>): Json[] {
  const params = snippet.def.parameters ?? {};
  const arg = (p: string): string | undefined => (Object.hasOwn(params, p) ? args[p] : undefined);
  const rewrite = (w: Json): Json => {
    if (Array.isArray(w)) return w.map(rewrite);
    if (!isObject(w)) return w;
    const [kind] = Object.keys(w);
    const body = kind ? w[kind] : undefined;
    if (kind === 'dataView' && isObject(body) && isObject(body.source) && typeof body.source.parameter === 'string') {
      const a = arg(body.source.parameter);
      if (a === '$currentObject') {
        const buttons = Array.isArray(body.buttons) ? body.buttons.map((b) => ({ button: b })) : [];
        const widgets = [...(Array.isArray(body.widgets) ? (rewrite(body.widgets) as Json[]) : []), ...buttons];
        return { container: { widgets, ...(body.visible ? { visible: body.visible } : {}) } };
      }
      if (a) return { dataView: { ...mapValues(body, rewrite), source: { parameter: a.slice(1) } } };
    }
    if (kind === 'snippetCall' && isObject(body) && isObject(body.parameters)) {
      const passed: Record<string, string> = {};
      for (const [k, v] of Object.entries(body.parameters)) passed[k] = typeof v === 'string' && v.startsWith('$') ? (arg(v.slice(1)) ?? v) : String(v);
      return { snippetCall: { ...body, parameters: passed } };
    }
    return mapValues(w, rewrite);
  };
  return (snippet.def.widgets as Json[]).map(rewrite);
}

function mapValues(o: JsonObject, f: (v: Json) => Json): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) out[k] = f(v);
  return out;
}
