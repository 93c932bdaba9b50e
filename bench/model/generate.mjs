// Writes a generated app model of the size issue 23 measures: 200 entities (attributes of every
// type, associations, inheritance, access rules for 5 roles), 300 microflows and 100 pages, in
// 4 modules. Deterministic: the same folder every time.
//
//   node bench/model/generate.mjs <dir> [--modules 4] [--entities 50] [--microflows 75] [--pages 25]
//   (counts per module)
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    modules: { type: 'string', default: '4' },
    entities: { type: 'string', default: '50' },
    microflows: { type: 'string', default: '75' },
    pages: { type: 'string', default: '25' },
  },
});
const dir = positionals[0];
if (!dir) throw new Error('usage: node bench/model/generate.mjs <dir>');
const M = Number(values.modules);
const E = Number(values.entities);
const F = Number(values.microflows);
const P = Number(values.pages);
const ROLES = ['R1', 'R2', 'R3', 'R4', 'R5'];
const mods = Array.from({ length: M }, (_, k) => `Mod${k + 1}`);

rmSync(dir, { recursive: true, force: true });
const write = (path, text) => {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
};
const list = (xs) => `[${xs.join(', ')}]`;

write(
  'app.yaml',
  `name: Generated
version: 1.0.0
modules: ${list(mods)}
security:
  level: production
  adminUser: { name: MxAdmin, password: { env: KILN_ADMIN_PASSWORD, default: "Admin1!" }, role: Role1 }
  userRoles:
${ROLES.map((r, i) => `    Role${i + 1}: ${list([...mods.map((m) => `${m}.${r}`), i === 0 ? 'System.Administrator' : 'System.User'])}`).join('\n')}
navigation:
  home: ${mods[0]}.E0_Overview
  menu:
    - { caption: Home, page: ${mods[0]}.E0_Overview }
`,
);

// Every 5th entity specializes the one before it; each has its own attribute names (suffix = index).
const isSpecial = (i) => i % 5 === 4;
for (const m of mods) {
  const ents = [];
  const assocs = [];
  for (let i = 0; i < E; i++) {
    const s = `_${i}`;
    const access = [
      `      - { roles: [R1], create: true, delete: true, read: "*", write: "*" }`,
      `      - { roles: [R2], create: true, read: "*", write: [Name${s}, Count${s}, Amount${s}] }`,
      `      - { roles: [R3], read: [Name${s}, Amount${s}, When${s}], xpath: "[Flag${s} = true()]" }`,
      i > 0 ? `      - { roles: [R4], read: "*", xpath: "[${m}.E${i}_E${i - 1}/${m}.E${i - 1}/Count_${i - 1} > 0]" }` : `      - { roles: [R4], read: "*" }`,
      `      - { roles: [R5], read: [Name${s}, Count${s}], xpath: "[Count${s} > 10 and Name${s} != empty]" }`,
    ];
    ents.push(`  E${i}:
${isSpecial(i) ? `    generalization: E${i - 1}\n` : ''}    attributes:
      Name${s}: String(200)
      Notes${s}: String(unlimited)
      Count${s}: { type: Integer, default: 1 }
      Big${s}: Long
      Amount${s}: { type: Decimal, default: "0.00" }
      Flag${s}: Boolean
      When${s}: DateTime
      Kind${s}: { type: Enumeration, enumeration: Status, default: Open }
      Seq${s}: AutoNumber
      Secret${s}: HashedString
      Data${s}: Binary
    validation:
      - { attribute: Name${s}, required: "Name is required" }
      - { attribute: Count${s}, range: { min: 0, message: "Count cannot be negative" } }
    access:
${access.join('\n')}`);
    if (i > 0) assocs.push(`  E${i}_E${i - 1}: { type: Reference, parent: E${i}, child: E${i - 1} }`);
    if (i % 10 === 3) assocs.push(`  E${i}_Tags: { type: ReferenceSet, parent: E${i}, child: E${(i + 7) % E} }`);
  }
  write(
    `modules/${m}/domain-model.yaml`,
    `moduleRoles: ${list(ROLES)}
enumerations:
  Status: { Open: Open, Active: Active, Closed: "Closed for good" }
entities:
${ents.join('\n')}
associations:
${assocs.join('\n')}
`,
  );

  for (let j = 0; j < F; j++) {
    const i = j % E;
    const s = `_${i}`;
    const e = `${m}.E${i}`;
    let text;
    if (j % 3 === 0)
      text = `allowedRoles: [R1, R2]
parameters: { Obj: ${e} }
returns: Boolean
body:
  - decision:
      if: $Obj/Count${s} > 5 and $Obj/Name${s} != empty
      then:
        - change: { object: $Obj, set: { Count${s}: "$Obj/Count${s} + 1", Amount${s}: "$Obj/Amount${s} * 2" }, commit: true }
  - return: "true"
`;
    else if (j % 3 === 1)
      text = `allowedRoles: [R1, R2, R3]
applyEntityAccess: true
returns: List of ${e}
body:
  - retrieve: { from: ${e}, xpath: "[Count${s} > 3 and Flag${s} = true()]", into: Items }
  - return: $Items
`;
    else
      text = `allowedRoles: [R1]
parameters: { Obj: ${e} }
returns: String
body:
  - retrieve: { from: ${e}, xpath: "[Count${s} >= 0]", range: first, into: First }
  - decision:
      if: $First != empty
      then:
        - return: "$First/Name${s} + ' / ' + toString($Obj/Count${s})"
  - return: "'none'"
`;
    write(`modules/${m}/microflows/Flow${j}.yaml`, text);
  }

  // Overview and edit pages in pairs, for the first entities.
  for (let p = 0; p < P; p++) {
    const i = Math.floor(p / 2);
    const s = `_${i}`;
    const e = `${m}.E${i}`;
    if (p % 2 === 0)
      write(
        `modules/${m}/pages/E${i}_Overview.yaml`,
        `title: E${i}
allowedRoles: ${list(ROLES)}
widgets:
  - dataGrid:
      name: grid
      source: { xpath: //${e}, sort: [{ attribute: Name${s} }] }
      pageSize: 20
      columns: [Name${s}, Count${s}, Amount${s}, When${s}, Kind${s}, Flag${s}]
      buttons:
${p + 1 < P ? `        - { caption: New, action: { create: ${e}, page: ${m}.E${i}_Edit } }\n        - { caption: Edit, action: { open: ${m}.E${i}_Edit } }\n` : ''}        - { caption: Delete, action: delete }
`,
      );
    else
      write(
        `modules/${m}/pages/E${i}_Edit.yaml`,
        `title: Edit E${i}
allowedRoles: [R1, R2]
popup: true
parameters: { Obj: ${e} }
widgets:
  - dataView:
      name: view
      source: { parameter: Obj }
      widgets:
        - textBox: { attribute: Name${s}, label: Name }
        - textArea: { attribute: Notes${s}, label: Notes }
        - numberInput: { attribute: Count${s}, label: Count }
        - numberInput: { attribute: Amount${s}, label: Amount }
        - checkBox: { attribute: Flag${s}, label: Flag }
        - datePicker: { attribute: When${s}, label: When }
        - dropDown: { attribute: Kind${s}, label: Kind }
${i > 0 ? `        - referenceSelector: { association: ${m}.E${i}_E${i - 1}, attribute: Name_${i - 1}, label: Parent }\n` : ''}      buttons:
        - { caption: Save, action: save }
        - { caption: Cancel, action: cancel }
`,
      );
  }
}
console.log(`wrote ${dir}: ${M * E} entities, ${M * F} microflows, ${M * P} pages`);
