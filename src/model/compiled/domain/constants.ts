import { normaliseDefault } from '../attribute-types.js';
import type { CConstant } from '../types.js';
import type { DomainContext } from './context.js';

/** Constants, with overrides from app.yaml. */
export function compileConstants(ctx: DomainContext, constantOverrides: Record<string, unknown>): void {
  const { report, constants } = ctx;
  for (const inp of ctx.inputs) {
    for (const [name, def] of Object.entries(inp.def.constants ?? {})) {
      const q = `${inp.module}.${name}`;
      const type = def.type as CConstant['type'];
      if (!['String', 'Integer', 'Long', 'Decimal', 'Boolean', 'DateTime'].includes(type)) {
        report(inp, ['constants', name, 'type'], `unknown constant type '${def.type}' (expected String, Integer, Long, Decimal, Boolean or DateTime)`);
        continue;
      }
      const raw = Object.hasOwn(constantOverrides, q) ? constantOverrides[q] : def.default;
      const norm = normaliseDefault(type, raw, undefined);
      if ('error' in norm) {
        report(inp, ['constants', name, 'default'], `constant ${q}: ${norm.error}`);
        continue;
      }
      constants.set(q, { name: q, type, value: norm.value, exposedToClient: def.exposedToClient ?? false });
    }
  }
}
