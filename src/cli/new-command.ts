import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../model/diagnostics.js';
import { runSchema } from './schema-command.js';

/**
 * `kiln new <dir> [--name App]`: a starter app that `kiln dev` runs at once: one
 * module, one entity, an overview and an edit page, a microflow and two roles.
 */
export async function runNew(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { name: { type: 'string' } } });
  const dir = positionals[0];
  if (!dir) throw new UserError('missing folder: kiln new <dir> [--name App]');
  const existing = await readdir(dir).catch(() => undefined);
  if (existing && existing.length > 0) throw new UserError(`${dir} is not empty: kiln new writes a new app into an empty or new folder`);
  const name = values.name ?? appName(basename(resolve(dir)));
  for (const [rel, text] of Object.entries(starterFiles(name))) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  // The JSON Schemas, for editors (the $schema of each file points here; the loader skips dot folders).
  await runSchema([join(dir, '.kiln', 'schema')]);
  process.stdout.write(
    `created ${name} in ${dir}\n\nnext:\n  npx kiln dev ${dir}\n  open http://localhost:8080/ and sign in as MxAdmin / Admin1! (or demo_user / Demo1234!)\n`,
  );
  return 0;
}

/** `my-tasks` -> `MyTasks`: the folder's name as an identifier. */
function appName(folder: string): string {
  const n = folder
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
  return /^[A-Za-z]/.test(n) ? n : `App${n}`;
}

/** The starter app's files, relative path -> text. */
function starterFiles(name: string): Record<string, string> {
  return {
    'app.yaml': `$schema: ./.kiln/schema/app.schema.json
name: ${name}
version: 0.1.0
modules: [Tasks]
security:
  level: production
  adminUser: { name: MxAdmin, password: { env: KILN_ADMIN_PASSWORD, default: "Admin1!" }, role: Administrator }
  userRoles:
    Administrator: [Tasks.Admin, System.Administrator]
    User: [Tasks.User, System.User]
  demoUsers:
    - { name: demo_user, password: "Demo1234!", roles: [User] }
navigation:
  home: Tasks.Task_Overview
  menu:
    - { caption: Tasks, page: Tasks.Task_Overview }
`,
    '.gitignore': '.deployment/\n',
    'modules/Tasks/domain-model.yaml': `$schema: ../../.kiln/schema/domain-model.schema.json
moduleRoles: [User, Admin]
enumerations:
  Priority: { Low: Low, Normal: Normal, High: High }
entities:
  Task:
    attributes:
      Title:    { type: String, length: 200 }
      Priority: { type: Enumeration, enumeration: Priority, default: Normal }
      Due:      { type: DateTime, localize: false }
      Done:     Boolean
    validation:
      - { attribute: Title, required: "A task needs a title" }
    access:
      - roles: [User]
        create: true
        delete: false
        read: "*"
        write: [Title, Priority, Due, Done]
      - roles: [Admin]
        create: true
        delete: true
        read: "*"
        write: "*"
`,
    'modules/Tasks/pages/Task_Overview.yaml': `$schema: ../../../.kiln/schema/page.schema.json
title: Tasks
allowedRoles: [User, Admin]
widgets:
  - dataGrid:
      name: tasksGrid
      source: { xpath: //Tasks.Task, sort: [Due] }
      pageSize: 20
      search: [Title]
      columns: [Title, Priority, Due, Done]
      buttons:
        - { caption: New, action: { create: Tasks.Task, page: Tasks.Task_Edit } }
        - { caption: Edit, action: { open: Tasks.Task_Edit } }
        - { caption: Mark done, action: { microflow: Tasks.Task_MarkDone } }
        - { caption: Delete, action: delete }
`,
    'modules/Tasks/pages/Task_Edit.yaml': `$schema: ../../../.kiln/schema/page.schema.json
title: Edit task
allowedRoles: [User, Admin]
popup: true
parameters: { Task: Tasks.Task }
widgets:
  - dataView:
      name: taskView
      source: { parameter: Task }
      widgets:
        - textBox: { attribute: Title, label: Title }
        - dropDown: { attribute: Priority, label: Priority }
        - datePicker: { attribute: Due, label: Due }
        - checkBox: { attribute: Done, label: Done }
      buttons:
        - { caption: Save, action: save }
        - { caption: Cancel, action: cancel }
`,
    'modules/Tasks/microflows/Task_MarkDone.yaml': `$schema: ../../../.kiln/schema/microflow.schema.json
allowedRoles: [User, Admin]
parameters: { Task: Tasks.Task }
body:
  - change: { object: $Task, set: { Done: "true" }, commit: true }
`,
  };
}
