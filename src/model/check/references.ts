import type { Diagnostic } from '../diagnostics.js';
import { qualify } from '../compiled/compile-domain.js';
import type { CompiledModel } from '../compiled/types.js';
import type { SourceFile } from '../load/source-file.js';

/**
 * Cross-references between units that the foundation can check without knowing
 * each activity's or widget's full semantics: event-handler microflows, and in
 * pages and microflows every value under a key that names a page, microflow,
 * entity or enumeration. Components that own a unit kind add deeper checks.
 */
export function checkReferences(model: CompiledModel, out: Diagnostic[]): void {
  for (const e of model.entities.values()) {
    if (!e.source) continue;
    const file = e.source.file;
    e.events
      .filter((ev) => ev.entity === e.name)
      .forEach((ev, i) => {
        if (!model.microflows.has(ev.microflow))
          out.push(file.diagnostic([...e.source!.path, 'events', i, 'microflow'], `unknown microflow '${ev.microflow}'`));
      });
    for (const a of e.ownAttributes) {
      if (a.calculated && a.source && !model.microflows.has(a.calculated))
        out.push(file.diagnostic([...a.source.path, 'calculated'], `unknown microflow '${a.calculated}' for calculated attribute '${a.name}'`));
    }
  }
  for (const p of model.pages.values()) walk(p.source.file, p.module, p.def, [], model, out);
  for (const u of [...(model.layouts?.values() ?? []), ...(model.snippets?.values() ?? [])]) walk(u.source.file, u.module, u.def, [], model, out);
  for (const m of model.microflows.values()) walk(m.source.file, m.module, m.def, [], model, out);
}

const PAGE_KEYS = new Set(['page', 'open', 'showPage']);
const MICROFLOW_KEYS = new Set(['microflow', 'callMicroflow']);
const ENTITY_KEYS = new Set(['entity', 'create', 'objectType', 'from']);

function walk(file: SourceFile, module: string, node: unknown, path: (string | number)[], model: CompiledModel, out: Diagnostic[]): void {
  if (Array.isArray(node)) {
    node.forEach((n, i) => {
      walk(file, module, n, [...path, i], model, out);
    });
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    const p = [...path, k];
    if (typeof v === 'string' && /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$/.test(v)) {
      if (PAGE_KEYS.has(k) && !model.pages.has(qualify(v, module))) out.push(file.diagnostic(p, `unknown page '${v}'`));
      else if (MICROFLOW_KEYS.has(k) && !model.microflows.has(qualify(v, module))) out.push(file.diagnostic(p, `unknown microflow '${v}'`));
      else if (ENTITY_KEYS.has(k) && v.includes('.') && !model.entities.has(v)) out.push(file.diagnostic(p, `unknown entity '${v}'`));
    }
    if (k === 'parameters' && path.length === 0 && v && typeof v === 'object') {
      for (const [pn, pt] of Object.entries(v)) {
        if (typeof pt !== 'string') continue;
        const t = pt.replace(/^List of\s+/i, '').trim();
        if (t.includes('.') && !model.entities.has(t) && !model.enumerations.has(t)) out.push(file.diagnostic([k, pn], `unknown entity or enumeration '${t}'`));
      }
      continue;
    }
    walk(file, module, v, p, model, out);
  }
}
