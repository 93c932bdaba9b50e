import type { DomainContext } from './context.js';

/** Pass 1: module roles, enumerations and the entities' names, claimed in the order written. */
export function collectNames(ctx: DomainContext): void {
  const { report, claim, moduleRoles, enumerations, entityDefs } = ctx;
  for (const inp of ctx.inputs) {
    const roles = inp.def.moduleRoles ?? [];
    roles.forEach((r, i) => {
      const q = `${inp.module}.${r}`;
      if (moduleRoles.has(q)) report(inp, ['moduleRoles', i], `duplicate module role '${r}'`);
      moduleRoles.add(q);
    });
    for (const [name, values] of Object.entries(inp.def.enumerations ?? {})) {
      const q = `${inp.module}.${name}`;
      claim(inp, ['enumerations', name], q, 'enumeration');
      const vals = Object.entries(values).map(([key, v]) =>
        typeof v === 'string'
          ? { key, caption: v }
          : typeof v.caption === 'string'
            ? { key, caption: v.caption, ...(v.image ? { image: v.image } : {}) }
            : // Translated: the first text (the default language's) where one caption is needed (getCaption).
              { key, caption: Object.values(v.caption)[0] ?? key, captions: v.caption, ...(v.image ? { image: v.image } : {}) },
      );
      if (vals.length === 0) report(inp, ['enumerations', name], `enumeration '${name}' has no values`);
      for (const v of vals)
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v.key)) report(inp, ['enumerations', name, v.key], `enumeration key '${v.key}' is not a valid identifier`);
      enumerations.set(q, { name: q, values: vals });
    }
    for (const [name, def] of Object.entries(inp.def.entities ?? {})) {
      const q = `${inp.module}.${name}`;
      claim(inp, ['entities', name], q, 'entity');
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) report(inp, ['entities', name], `entity name '${name}' is not a valid identifier`);
      entityDefs.set(q, { inp, def, short: name });
    }
  }
}
