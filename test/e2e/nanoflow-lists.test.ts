import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitObjects, createObject } from '../../src/data/index.js';
import { setReference, setValue, type MxObject } from '../../src/objects/mx-object.js';
import type { NanoflowPlan, PlanStep } from '../../src/web-client/nanoflow-plan.js';
import { ROOT } from '../support/cli.js';
import { startE2eApp, type E2eApp } from './e2e-app.js';
import { pagerReads, signIn, type Browser } from './browser.js';
import { apiLogin } from './seed.js';

// Lists in a nanoflow in real headless Chromium (test/e2e/nanolist-app): the order's lines
// by association and from the database with an XPath over the nanoflow's variables (both run
// by the server with the user's entity access: the hidden line never reaches the browser),
// the customer by association from the order the client holds (an unsaved choice counts),
// aggregates, list operations and list changes evaluated in the browser.

describe('browser client: retrieves and lists in a nanoflow', { timeout: 120000 }, () => {
  let app: E2eApp;
  let b: Browser;
  let url: string;
  let orderGuid: string;

  beforeAll(async () => {
    app = await startE2eApp(join(ROOT, 'test', 'e2e', 'nanolist-app'));
    ({ url, browser: b } = app);
    const { model, db, ids } = app;
    const objs: MxObject[] = [];
    const make = async (entity: string, values: Record<string, unknown>, refs: Record<string, MxObject> = {}) => {
      const o = await createObject(model, entity, ids);
      for (const [k, v] of Object.entries(values)) setValue(o, k, v as never);
      for (const [k, r] of Object.entries(refs)) setReference(o, k, r.id);
      objs.push(o);
      return o;
    };
    const acme = await make('Shop.Customer', { Name: 'Acme' });
    await make('Shop.Customer', { Name: 'Globex' });
    const a1 = await make('Shop.Order', { Code: 'A-1' }, { 'Shop.Order_Customer': acme });
    const b2 = await make('Shop.Order', { Code: 'B-2' });
    for (const [product, qty, price, hidden] of [
      ['Bolt', 5, '2.00', false],
      ['Nut', 1, '12.50', false],
      ['Gear', 3, '20.00', false],
      ['Secret', 9, '99.00', true],
    ] as const)
      await make('Shop.Line', { Product: product, Quantity: qty, Price: new Decimal(price), Hidden: hidden }, { 'Shop.Line_Order': a1 });
    await make('Shop.Line', { Product: 'Washer', Quantity: 4, Price: new Decimal('1.00'), Hidden: false }, { 'Shop.Line_Order': b2 });
    await db.transaction((tx) => commitObjects(tx, model, objs));
    orderGuid = String(a1.id);
  }, 120000);
  afterAll(async () => {
    await app?.close();
  });

  it('retrieves, aggregates and changes lists in the browser; the server runs the XPath with the user’s access', async () => {
    const { page } = b;
    const bodies: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/xas/') bodies.push(r.postData() ?? '');
    });
    await signIn(page, url, 'MxAdmin', 'Admin1!', 'Orders');
    await pagerReads(page, 'orders', '1–2 of 2');
    await page.locator('[data-widget="orders"] tbody tr[data-guid]').first().click();
    // The grid's row holds no customer: the nanoflow's retrieve by association asks the server for it.
    await page.locator('[data-widget="orders"]').getByRole('button', { name: 'Who' }).click();
    const message = page.getByRole('alertdialog');
    await message.getByText('Ordered by Acme').waitFor();
    await message.getByRole('button', { name: 'OK' }).click();
    await page.locator('[data-widget="orders"]').getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Order' });
    await dialog.getByRole('button', { name: 'Summarise' }).click();
    await message.getByText('3 lines, total 82.5, dearest 20, average quantity 3, all positive true, top Gear, picked Bolt;, bolt 5, customer Acme').waitFor();
    await message.getByRole('button', { name: 'OK' }).click();

    // The customer comes from the order as the client holds it: the unsaved choice counts, no request needed for it.
    await dialog.getByLabel('Customer').selectOption({ label: 'Globex' });
    await dialog.getByRole('button', { name: 'Summarise' }).click();
    await message.getByText(/customer Globex$/).waitFor();
    await message.getByRole('button', { name: 'OK' }).click();

    // What the browser sent: operation ids and variable values, never an XPath; what came back: no hidden line.
    const retrieves = bodies.filter((x) => x.includes('"runtimeOperation"') && x.includes(`"Order":{"guid":"${orderGuid}"}`));
    expect(retrieves.length).toBeGreaterThanOrEqual(2);
    for (const x of retrieves) expect(x).not.toMatch(/\/\/Shop|Shop\.Line_Order|Hidden|Quantity/);
    const answers = (await b.settled()).filter((r) => new URL(r.url).pathname === '/xas/').map((r) => r.body);
    expect(answers.some((x) => x.includes('"Bolt"'))).toBe(true);
    expect(answers.some((x) => x.includes('Secret'))).toBe(false);
  });

  it('refuses a retrieve whose variables are missing or malformed with a 400 naming them, and applies the user’s access to made-up values', async () => {
    const s = await apiLogin(url, 'MxAdmin', 'Admin1!');
    const def = (await (await fetch(`${url}/pages/Shop.Order_Edit.json`, { headers: { Cookie: s.cookie } })).json()) as {
      nanoflows: Record<string, NanoflowPlan>;
    };
    const steps = def.nanoflows['Shop.Order_Summarise']!.body.filter((x): x is Extract<PlanStep, { kind: 'retrieve' }> => x.kind === 'retrieve');
    const fromDb = steps.find((x) => !x.association)!;
    expect(fromDb.variables).toEqual(['Order', 'MinQty']);
    const send = (params: Record<string, unknown>) =>
      fetch(`${url}/xas/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: s.cookie, 'X-Csrf-Token': s.csrf },
        body: JSON.stringify({ action: 'runtimeOperation', operationId: fromDb.operationId, params, options: { amount: -1 } }),
      });
    const missing = await send({ Order: { guid: orderGuid } });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("'params.MinQty' is required");
    const bad = await send({ Order: { guid: orderGuid }, MinQty: [1] });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("'params.MinQty' must be");
    const wrongType = await send({ Order: { guid: orderGuid }, MinQty: 'many' });
    expect(wrongType.status).toBe(400);
    // A quantity of 0 asks for every line of the order: the hidden one stays out.
    const all = await send({ Order: { guid: orderGuid }, MinQty: 0 });
    expect(all.status).toBe(200);
    const text = await all.text();
    expect(text).toContain('Nut');
    expect(text).not.toContain('Secret');
  });
});
