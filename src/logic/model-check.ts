import type { Diagnostic } from '../model/diagnostics.js';
import type { CAttribute, CEntity, CompiledModel } from '../model/compiled/types.js';
import { MicroflowCompiler } from './engine/compiler.js';
import { parseTypeName, typeToString } from './expressions/types.js';
import { sqlite } from '../data/dialects/sqlite/index.js';
import { queryPort } from './query-port.js';

/**
 * `kiln check` for microflows: every activity, expression (with the column
 * inside it) and XPath checked against the domain model, as the engine
 * compiles them at start-up; and each entity event handler's signature.
 */
export function checkMicroflows(model: CompiledModel, out: Diagnostic[]): void {
  // XPaths are checked as compiled for SQLite (any dialect would do: none loads a driver).
  const query = queryPort(sqlite);
  for (const mf of model.microflows.values()) {
    const c = new MicroflowCompiler({ model, query }, mf);
    c.compile();
    out.push(...c.diagnostics);
  }
  for (const mf of model.microflows.values()) {
    const alt = mf.def.disallowConcurrentExecution?.microflow;
    if (alt === undefined) continue;
    const q = alt.includes('.') ? alt : `${mf.module}.${alt}`;
    if (!model.microflows.has(q)) out.push(mf.source.file.diagnostic(['disallowConcurrentExecution', 'microflow'], `unknown microflow '${alt}'`));
  }
  for (const e of model.entities.values()) {
    if (!e.source) continue;
    for (const a of e.ownAttributes) checkCalculated(model, e, a, out);
    e.events
      .filter((h) => h.entity === e.name)
      .forEach((h, i) => {
        const mf = model.microflows.get(h.microflow);
        if (!mf) return;
        const at = [...e.source!.path, 'events', i, 'microflow'];
        const params = Object.values(mf.def.parameters ?? {});
        const returns = mf.def.returns ? parseTypeName(model, mf.def.returns, mf.module) : undefined;
        if (h.moment === 'before' && (typeof returns !== 'object' || returns.kind !== 'Boolean')) {
          out.push(e.source!.file.diagnostic(at, `before-${h.event} handler ${h.microflow} must return Boolean`));
        }
        const wantsObject = h.passEventObject && !(h.moment === 'before' && h.event === 'create');
        if (wantsObject) {
          const t = params.length === 1 ? parseTypeName(model, params[0]!, mf.module) : undefined;
          if (!t || typeof t === 'string' || t.kind !== 'Object' || !e.chain.includes(t.entity)) {
            out.push(
              e.source!.file.diagnostic(at, `${h.moment}-${h.event} handler ${h.microflow} must take one parameter of type ${e.name} (or a generalization)`),
            );
          }
        } else if (params.length > 0) {
          out.push(e.source!.file.diagnostic(at, `${h.moment}-${h.event} handler ${h.microflow} gets no object: it must have no parameters`));
        }
      });
  }
}

/** A calculated attribute's microflow takes the object as its one parameter and returns the attribute's type. */
function checkCalculated(model: CompiledModel, e: CEntity, a: CAttribute, out: Diagnostic[]): void {
  const mf = a.calculated ? model.microflows.get(a.calculated) : undefined;
  if (!mf || !a.source) return;
  const at = [...a.source.path, 'calculated'];
  const params = Object.values(mf.def.parameters ?? {});
  const t = params.length === 1 ? parseTypeName(model, params[0]!, mf.module) : undefined;
  if (!t || typeof t === 'string' || t.kind !== 'Object' || !e.chain.includes(t.entity)) {
    out.push(
      a.source.file.diagnostic(at, `${a.calculated} calculates ${e.name}.${a.name}: it must take one parameter of type ${e.name} (or a generalization)`),
    );
  }
  const want = a.type === 'Enumeration' ? a.enumeration! : a.type;
  const returns = mf.def.returns ? parseTypeName(model, mf.def.returns, mf.module) : undefined;
  const got = returns === undefined ? 'Nothing' : typeof returns === 'string' ? mf.def.returns! : typeToString(returns);
  if (got !== want) out.push(a.source.file.diagnostic(at, `${a.calculated} calculates ${e.name}.${a.name} (${want}) but returns ${got}`));
}
