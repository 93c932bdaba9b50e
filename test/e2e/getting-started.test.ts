import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runKiln } from '../support/cli.js';
import { type DevServer, startDev, until } from '../support/dev-server.js';
import { type Browser, docImagePath, openBrowser } from './browser.js';

// docs/getting-started.md, followed step by step: kiln new, kiln dev, a browser on the app, the
// edits the page shows (each snippet must appear in the page as it is here), its screenshots.
// `npm run docs:screenshots` writes the screenshots into docs/images/ (otherwise into test-artifacts/).

const DOC = readFileSync(join(ROOT, 'docs', 'getting-started.md'), 'utf8');
const shot = (name: string) => docImagePath(`getting-started-${name}`);

const PROJECT_ENTITY = `  Project:
    attributes:
      Name: { type: String, length: 100 }
    access:
      - roles: [User, Admin]
        create: true
        delete: true
        read: "*"
        write: "*"
associations:
  Task_Project:
    parent: Task
    child: Project
`;
const USER_WRITES = 'write: [Title, Priority, Due, Done, Task_Project]';
const PROJECT_OVERVIEW = `$schema: ../../../.kiln/schema/page.schema.json
title: Projects
allowedRoles: [User, Admin]
widgets:
  - dataGrid:
      name: projectsGrid
      source: { xpath: //Tasks.Project, sort: [Name] }
      columns: [Name]
      buttons:
        - { caption: New, action: { create: Tasks.Project, page: Tasks.Project_Edit } }
        - { caption: Edit, action: { open: Tasks.Project_Edit } }
`;
const PROJECT_EDIT = `$schema: ../../../.kiln/schema/page.schema.json
title: Edit project
allowedRoles: [User, Admin]
popup: true
parameters: { Project: Tasks.Project }
widgets:
  - dataView:
      name: projectView
      source: { parameter: Project }
      widgets:
        - textBox: { attribute: Name, label: Name }
      buttons:
        - { caption: Save, action: save }
        - { caption: Cancel, action: cancel }
`;
const SELECTOR = '        - referenceSelector: { association: Task_Project, attribute: Name, label: Project }\n';
const COLUMNS = 'columns: [Title, Priority, Due, Done, { attribute: Tasks.Task_Project/Tasks.Project/Name, caption: Project }]';
const MENU = '    - { caption: Projects, page: Tasks.Project_Overview }\n';
const MISTAKE = '- referenceselector: { association: Task_Project';

describe('docs/getting-started.md', () => {
  let dev: DevServer;
  let b: Browser;
  let url: string;
  let app: string;
  const file = (f: string) => join(app, f);
  const edit = (f: string, from: string, to: string) => {
    const text = readFileSync(file(f), 'utf8');
    if (!text.includes(from)) throw new Error(`${f} has no '${from}'`);
    writeFileSync(file(f), text.replace(from, to));
  };
  const reloads = () => dev.output().split('model reloaded').length - 1;
  /** One save, as the reader makes it, then the reload it causes. */
  const save = async (change: () => void) => {
    const before = reloads();
    change();
    await until('the reload', () => (reloads() > before ? true : undefined), 20000);
  };

  beforeAll(async () => {
    const parent = mkdtempSync(join(tmpdir(), 'kiln-gs-'));
    app = join(parent, 'my-tasks');
    const made = await runKiln(['new', app]);
    expect(made.code).toBe(0);
    dev = await startDev('', { folder: app });
    url = `http://127.0.0.1:${dev.port}`;
    b = await openBrowser();
  }, 90000);

  afterAll(async () => {
    await b?.close();
    await dev?.stop();
  });

  it('shows every snippet it makes the reader type', () => {
    for (const s of [PROJECT_ENTITY, USER_WRITES, PROJECT_OVERVIEW, PROJECT_EDIT, SELECTOR, COLUMNS, MENU, MISTAKE]) expect(DOC).toContain(s);
  });

  it('1. the starter app: sign in, add a task', async () => {
    const { page } = b;
    await page.goto(`${url}/`);
    await page.getByLabel('User name').fill('demo_user');
    await page.getByLabel('Password').fill('Demo1234!');
    await page.screenshot({ path: shot('1-sign-in.png') });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('main h1.page-title', { hasText: 'Tasks' }).waitFor();
    const grid = page.locator('[data-widget="tasksGrid"]');
    await grid.getByRole('button', { name: 'New' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit task' });
    await dialog.getByLabel('Title').fill('Write the report');
    await dialog.getByLabel('Due').fill('2026-12-24');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await grid.locator('td', { hasText: 'Write the report' }).waitFor();
    await page.screenshot({ path: shot('2-tasks.png') });
  }, 60000);

  it('2. a second entity and an association, saved file by file while the app runs', async () => {
    const { page } = b;
    const dm = 'modules/Tasks/domain-model.yaml';
    await save(() => {
      writeFileSync(file(dm), readFileSync(file(dm), 'utf8') + PROJECT_ENTITY);
      edit(dm, 'write: [Title, Priority, Due, Done]', USER_WRITES);
    });
    expect(dev.output()).toContain('create entity Tasks.Project (table tasks$project)');
    await save(() => {
      writeFileSync(file('modules/Tasks/pages/Project_Overview.yaml'), PROJECT_OVERVIEW);
      writeFileSync(file('modules/Tasks/pages/Project_Edit.yaml'), PROJECT_EDIT);
    });
    await save(() => edit('app.yaml', '    - { caption: Tasks, page: Tasks.Task_Overview }\n', `    - { caption: Tasks, page: Tasks.Task_Overview }\n${MENU}`));
    await save(() =>
      edit(
        'modules/Tasks/pages/Task_Edit.yaml',
        '        - checkBox: { attribute: Done, label: Done }\n',
        `        - checkBox: { attribute: Done, label: Done }\n${SELECTOR}`,
      ),
    );
    await save(() => edit('modules/Tasks/pages/Task_Overview.yaml', 'columns: [Title, Priority, Due, Done]', COLUMNS));

    // The page reloaded by itself: the menu has Projects. Add one, then put the task in it.
    const menu = page.getByRole('navigation', { name: 'Main menu' });
    await menu.getByRole('link', { name: 'Projects' }).click();
    const projects = page.locator('[data-widget="projectsGrid"]');
    await projects.getByRole('button', { name: 'New' }).click();
    const pd = page.getByRole('dialog', { name: 'Edit project' });
    await pd.getByLabel('Name').fill('Annual report');
    await pd.getByRole('button', { name: 'Save' }).click();
    await pd.waitFor({ state: 'detached' });
    await projects.locator('td', { hasText: 'Annual report' }).waitFor();

    await menu.getByRole('link', { name: 'Tasks' }).click();
    const grid = page.locator('[data-widget="tasksGrid"]');
    await grid.locator('td', { hasText: 'Write the report' }).click();
    await grid.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit task' });
    await dialog.getByLabel('Project').selectOption({ label: 'Annual report' });
    await page.screenshot({ path: shot('3-task-project.png') });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await grid.locator('th', { hasText: 'Project' }).waitFor();
    await grid.locator('td', { hasText: 'Annual report' }).waitFor();
    await page.screenshot({ path: shot('4-tasks-with-project.png') });
  }, 90000);

  it('3. a mistake is shown over the page while the app keeps running', async () => {
    const { page } = b;
    edit('modules/Tasks/pages/Task_Edit.yaml', '- referenceSelector: { association: Task_Project', MISTAKE);
    const overlay = page.locator('#kiln-dev-errors');
    await overlay.waitFor({ timeout: 20000 });
    expect(await overlay.textContent()).toContain("did you mean 'referenceSelector'?");
    await page.screenshot({ path: shot('5-mistake.png') });
    await save(() => edit('modules/Tasks/pages/Task_Edit.yaml', MISTAKE, '- referenceSelector: { association: Task_Project'));
    await overlay.waitFor({ state: 'detached', timeout: 20000 });
  }, 60000);
});
