import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type DevServer, listenToDev, startDev, until } from '../support/dev-server.js';

// Destructive schema changes under `kiln dev` wait for the developer's answer.

const DM = 'modules/MyFirstModule/domain-model.yaml';

let dev: DevServer | undefined;
afterEach(async () => {
  await dev?.stop();
  dev = undefined;
});

function edit(d: DevServer, file: string, from: string, to: string): void {
  const path = join(d.app, file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no '${from}'`);
  writeFileSync(path, text.replace(from, to));
}

function nicknameColumn(d: DevServer): { exists: boolean; values: unknown[] } {
  const db = new Database(join(d.deploymentDir, 'database.sqlite'));
  try {
    const cols = db.prepare(`SELECT name FROM pragma_table_info('myfirstmodule$employee')`).all() as { name: string }[];
    const exists = cols.some((c) => c.name === 'nickname');
    return { exists, values: exists ? db.prepare('SELECT nickname FROM "myfirstmodule$employee"').pluck().all() : [] };
  } finally {
    db.close();
  }
}

/** Adds a Nickname attribute (not destructive: swapped in at once), then stores a value in it. */
async function withNickname(d: DevServer): Promise<void> {
  edit(d, DM, '      Jobtitle:    String\n', '      Jobtitle:    String\n      Nickname:    String\n');
  await until('first reload', () => (d.output().includes('model reloaded') ? true : undefined));
  const db = new Database(join(d.deploymentDir, 'database.sqlite'));
  try {
    db.prepare(`INSERT INTO "myfirstmodule$employee" (id, lastname, nickname) VALUES (?, ?, ?)`).run(123456789n, 'Lovelace', 'Ada');
  } finally {
    db.close();
  }
}

// The removal comes with a new attribute: a model identical to an earlier one would be an
// older model (docs/operations.md, schema synchronisation) that serves with the newer schema and changes nothing.
const reloads = (d: DevServer) => d.output().split('model reloaded').length - 1;

describe('kiln dev: a save that would destroy data', () => {
  it('without a terminal keeps the last good model, says what would be lost and how to accept, and applies it on a "y" line', async () => {
    dev = await startDev('employees');
    const d = dev;
    await withNickname(d);
    const sse = listenToDev(d.port);
    await until('first event', () => sse.events[0]);

    edit(d, DM, 'Nickname:    String', 'Alias:       String');
    await until('the refusal', () => (d.output().includes('this save would destroy data') ? true : undefined));
    const out = d.output();
    expect(out).toMatch(/drop.*nickname|nickname.*1 (row|value)/i);
    expect(out).toContain("send a line 'y' on standard input");
    expect(out).toContain('--accept-destructive');
    expect(out).not.toContain('[y/N]');
    // The browser is told too, and the app keeps serving the last good model, data intact.
    const shown = await until('overlay event', () => sse.events.find((e) => e.destructive));
    expect(shown.destructive).toContain('This save would destroy data');
    expect(shown.destructive).toMatch(/nickname/i);
    expect((await fetch(`http://127.0.0.1:${d.port}/health`)).status).toBe(200);
    expect(reloads(d)).toBe(1);
    expect(nicknameColumn(d)).toEqual({ exists: true, values: ['Ada'] });

    // "y" applies the waiting model.
    d.child.stdin?.write('y\n');
    await until('second reload', () => (reloads(d) === 2 ? true : undefined));
    expect(nicknameColumn(d).exists).toBe(false);
    expect((await fetch(`http://127.0.0.1:${d.port}/health`)).status).toBe(200);
    sse.close();
  }, 90000);

  it('on a terminal asks y/N: "n" keeps the data, a new save asks again and "y" applies it', async () => {
    dev = await startDev('employees', { tty: true });
    const d = dev;
    await withNickname(d);

    edit(d, DM, 'Nickname:    String', 'Alias:       String');
    await until('the prompt', () => (d.output().includes('apply it and lose that data? [y/N]') ? true : undefined));
    expect(d.output()).not.toContain('--accept-destructive');
    d.child.stdin?.write('n\r');
    await until('declined', () => (d.output().includes('not applied: the app keeps running the last good model') ? true : undefined));
    expect(nicknameColumn(d)).toEqual({ exists: true, values: ['Ada'] });
    expect(reloads(d)).toBe(1);

    // Save again (a harmless change elsewhere in the file): asked again.
    edit(d, DM, 'Lastname:    String', 'Lastname:    { type: String }');
    await until('asked again', () => (d.output().split('[y/N]').length === 3 ? true : undefined));
    d.child.stdin?.write('y\r');
    await until('applied', () => (reloads(d) === 2 ? true : undefined));
    expect(nicknameColumn(d).exists).toBe(false);
  }, 90000);

  it('with --accept-destructive applies it without asking', async () => {
    dev = await startDev('employees', { args: ['--accept-destructive'] });
    const d = dev;
    await withNickname(d);
    edit(d, DM, 'Nickname:    String', 'Alias:       String');
    await until('applied', () => (reloads(d) === 2 ? true : undefined));
    expect(d.output()).not.toContain('this save would destroy data');
    expect(nicknameColumn(d).exists).toBe(false);
  }, 90000);
});
