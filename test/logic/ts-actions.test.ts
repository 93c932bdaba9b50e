import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decimal } from 'decimal.js';
import { createLogger } from '../../src/core/logger.js';
import { logicApp, USER, type LogicApp } from './harness.js';

/**
 * TypeScript actions (the Java-action extension point) with their context API —
 * retrieve with variables, create, get/set, commit, delete, rollback,
 * callMicroflow, log — all in the calling microflow's transaction; and the
 * log-message activity's output (level, node, template).
 */
const ACTIONS: Record<string, string> = {
  // A .ts file, loaded through tsx; the typed-object form.
  'modules/Shop/actions/Restock.ts': `
interface Ctx { retrieve(e: string, x?: string, v?: Record<string, unknown>): Promise<object[]>; [k: string]: any }
export default {
  parameters: { Min: 'Integer', Price: 'String' },
  returns: 'Decimal',
  async run(args: { Min: number; Price: string }, ctx: Ctx) {
    const low = await ctx.retrieve('Shop.Item', '[Qty < $Min]', { Min: args.Min });
    for (const o of low) ctx.set(o, 'Qty', (ctx.get(o, 'Qty') as number) + 10);
    await ctx.commit(low);
    const extra = await ctx.create('Shop.Item');
    ctx.set(extra, 'Name', 'restocked');
    ctx.set(extra, 'Price', args.Price);
    await ctx.commit(extra);
    ctx.log('info', 'restocked ' + low.length);
    return ctx.callMicroflow('Shop.SumPrices', { Extra: 0 });
  },
};
`,
  // The plain-function form with exported parameters/returns.
  'modules/Shop/actions/Purge.js': `
export const returns = 'Integer';
export default async function purge(_args, ctx) {
  await ctx.delete(await ctx.retrieve('Shop.Item', "[Name = 'junk']"));
  const [keep] = await ctx.retrieve('Shop.Item', "[Name = 'keeper']");
  ctx.set(keep, 'Qty', 99);
  await ctx.rollback(keep);
  return ctx.get(keep, 'Qty');
}
`,
  'modules/Shop/actions/Fail.js': `
export default async function fail(_args, ctx) {
  const o = await ctx.create('Shop.Item');
  ctx.set(o, 'Name', 'written then undone');
  await ctx.commit(o);
  ctx.set(o, 'Qty', 'many');
}
`,
};

const MICROFLOWS: Record<string, string> = {
  SumPrices: `
parameters: { Extra: Decimal }
returns: Decimal
body:
  - retrieve: { from: Shop.Item, into: All }
  - aggregate: { list: $All, function: sum, attribute: Price, into: S }
  - return: $S + $Extra`,
  Seed: `
body:
  - create: { entity: Shop.Item, set: { Name: "'low'", Qty: 1, Price: 2.25 }, commit: true, into: A }
  - create: { entity: Shop.Item, set: { Name: "'high'", Qty: 50, Price: 0.5 }, commit: true, into: B }
  - create: { entity: Shop.Item, set: { Name: "'junk'", Qty: 3, Price: 0 }, commit: true, into: C }
  - create: { entity: Shop.Item, set: { Name: "'keeper'", Qty: 4, Price: 0 }, commit: true, into: D }`,
  UseRestock: `
returns: Decimal
body:
  - action: { name: Shop.Restock, with: { Min: 5, Price: "'0.10'" }, into: Total }
  - return: $Total`,
  UsePurge: `
returns: Integer
body:
  - action: { name: Shop.Purge, into: Q }
  - return: $Q`,
  LogNodes: `
parameters: { Kind: String }
body:
  - log: { level: critical, node: "'Orders.' + $Kind", message: "kind {1}", params: [$Kind] }
  - log: { level: debug, message: "not written at level info" }
  - log: { message: "default node and level" }`,
  UseFail: `
returns: String
body:
  - create: { entity: Shop.Item, set: { Name: "'before'" }, commit: true, into: B }
  - action: { name: Shop.Fail }
    onError:
      customWithoutRollback:
        - log: { level: warning, node: Shop.Errors, message: "action failed: {1}", params: [$latestError/Message], includeLatestStackTrace: true }
        - return: "$latestError/Message"
  - return: "'no error'"`,
};

describe('TypeScript actions and log messages (PostgreSQL)', () => {
  let app: LogicApp;
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  beforeAll(async () => {
    app = await logicApp('postgres', MICROFLOWS, ACTIONS, { log: createLogger('info', sink) });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });
  const run = (name: string) => app.engine.runMicroflow(`Shop.${name}`, {}, USER);
  const items = async () => (await app.rows('Shop.Item', 'name, qty, price')).map((r) => `${String(r.name)}:${Number(r.qty)}:${Number(r.price)}`);

  it('retrieve with variables, get/set, create, commit and callMicroflow, in the microflow transaction', async () => {
    await run('Seed');
    const total = (await run('UseRestock')).value as Decimal;
    // 2.25 + 0.5 + 0 + 0 + 0.10 exactly (the price arrived as decimal text)
    expect(total.toFixed()).toBe('2.85');
    expect(await items()).toEqual(['low:11:2.25', 'high:50:0.5', 'junk:13:0', 'keeper:14:0', 'restocked:0:0.1']);
    // ctx.commit runs the entity's events like the commit activity.
    expect((await app.log()).filter((m) => m.includes('restocked'))).toEqual(['beforeCommit:restocked', 'afterCommit:restocked']);
    expect(lines.some((l) => l.msg === 'restocked 3' && l.microflow === 'Shop.UseRestock')).toBe(true);
  });

  it('delete and rollback through the context', async () => {
    expect((await run('UsePurge')).value).toBe(14);
    expect((await items()).map((s) => s.split(':')[0])).toEqual(['low', 'high', 'keeper', 'restocked']);
    expect((await app.log()).slice(-2)).toEqual(['beforeDelete:junk', 'afterDelete:junk']);
  });

  it('log messages: the node may be an expression, critical maps to fatal, levels below the logger are dropped', async () => {
    const from = lines.length;
    await app.engine.runMicroflow('Shop.LogNodes', { Kind: 'Retail' }, USER);
    expect(lines.slice(from).map((l) => [l.level, l.node, l.msg])).toEqual([
      [60, 'Orders.Retail', 'kind Retail'],
      [30, 'Shop', 'default node and level'],
    ]);
  });

  it('an action that fails is handled like any activity: its commits are undone, the handler logs', async () => {
    const before = await items();
    const r = await run('UseFail');
    expect(r.value).toBe('Shop.Item.Qty is Integer: cannot take string many');
    expect(await items()).toEqual([...before, 'before:0:1']);
    const logged = lines.find((l) => typeof l.msg === 'string' && (l.msg as string).startsWith('action failed'));
    // pino level 40 = warn; node and microflow are fields; the template is filled in.
    expect(logged).toMatchObject({
      level: 40,
      node: 'Shop.Errors',
      microflow: 'Shop.UseFail',
      msg: 'action failed: Shop.Item.Qty is Integer: cannot take string many',
      stack: ['Shop.UseFail'],
    });
  });
});
