import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { runKiln } from '../support/cli.js';
import { writeApp } from '../support/app-folder.js';
import { openDatabase, syncSchema } from '../../src/data/index.js';
import { loadModel } from '../../src/model/index.js';
import { quietLog } from './support.js';

describe('kiln ddl', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase('postgres');
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('prints the statements a start would run, runs none, and says when there is nothing to do', async () => {
    const r = await runKiln(['ddl', 'examples/employees', '--db', t.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('create table if not exists "mendixsystem$entity"');
    expect(r.stdout).toMatch(/create table "myfirstmodule\$employee" \("id" BIGINT not null primary key, "firstname" VARCHAR\(200\), /);
    expect(r.stdout).toMatch(/insert into "mendixsystem\$entity" .* values \('[0-9a-f-]{36}', 'MyFirstModule\.Employee', 'myfirstmodule\$employee'/);
    const db = await openDatabase(t.url, { log: quietLog });
    try {
      // Nothing was run.
      expect(await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`, [])).toEqual([]);
      const { model } = await loadModel('examples/employees');
      await syncSchema(db, model!, { allowDestructive: false, log: quietLog });
    } finally {
      await db.close();
    }
    const again = await runKiln(['ddl', 'examples/employees', '--db', t.url]);
    expect(again.stdout.trim()).toBe('-- the database schema matches the model; nothing to do');
  });

  it('previews a SQLite file that does not exist yet without creating it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kiln-ddl-')), 'new.sqlite');
    const r = await runKiln(['ddl', 'examples/employees', '--db', `sqlite:${path}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('create table "myfirstmodule$employee" ("id" INTEGER not null primary key');
    expect(existsSync(path)).toBe(false);
  });

  it('exits non-zero when a start would refuse the change, naming the rows that lose and previousName first', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kiln-ddl-')), 'db.sqlite');
    const app = (version: string, domain: string) =>
      writeApp({ 'app.yaml': `name: T\nversion: ${version}\nmodules: [T]\n`, 'modules/T/domain-model.yaml': domain });
    const v1 = app('1.0.0', 'entities:\n  Item:\n    attributes: { Code: String(20) }\n');
    const db = await openDatabase(`sqlite:${path}`, { log: quietLog });
    try {
      await syncSchema(db, (await loadModel(v1)).model!, { allowDestructive: false, log: quietLog });
      await db.execute(`INSERT INTO "t$item" ("id", "code") VALUES (1, 'fits'), (2, 'twenty-characters-xx')`, []);
    } finally {
      await db.close();
    }
    const narrow = await runKiln(['ddl', app('2.0.0', 'entities:\n  Item:\n    attributes: { Code: String(13) }\n'), '--db', `sqlite:${path}`]);
    expect(narrow.code).toBe(2);
    expect(narrow.stdout).toContain(
      '-- DESTRUCTIVE: attribute T.Item.Code: 1 value does not fit String(13) and would be cut to 13 characters (id 2); every other value is kept',
    );
    expect(narrow.stdout).toMatch(
      /-- REFUSED: a start refuses these changes\. If an entity or attribute was renamed, give it `previousName` .* otherwise set AllowDestructiveSync/,
    );
    expect(narrow.stdout).toContain('-- records this model (version 2.0.0');
    const renamed = await runKiln(['ddl', app('2.0.0', 'entities:\n  Article:\n    attributes: { Code: String(20) }\n'), '--db', `sqlite:${path}`]);
    expect(renamed.code).toBe(2);
    expect(renamed.stdout).toContain(
      '-- DESTRUCTIVE: entity T.Item: table t$item holds 2 rows — if it was renamed, give the new name its previous one to keep the data: `T.Article` with `previousName: Item`',
    );
    // Wider: accepted, exit 0.
    const wider = await runKiln(['ddl', app('2.0.0', 'entities:\n  Item:\n    attributes: { Code: String(40) }\n'), '--db', `sqlite:${path}`]);
    expect(wider.code).toBe(0);
  });

  it('says when the model is older than the one that synchronised the database, exiting 2 when it could not serve', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kiln-ddl-')), 'db.sqlite');
    const app = (version: string, domain: string) =>
      writeApp({ 'app.yaml': `name: T\nversion: ${version}\nmodules: [T]\n`, 'modules/T/domain-model.yaml': domain });
    const v1 = app('1.0.0', 'entities:\n  Item:\n    attributes: { Code: String(20) }\n');
    const v2 = app('2.0.0', 'entities:\n  Item:\n    attributes: { Code: String(20), Extra: Integer }\n');
    const v3 = app('3.0.0', 'entities:\n  Article:\n    previousName: Item\n    attributes: { Code: String(20), Extra: Integer }\n');
    const db = await openDatabase(`sqlite:${path}`, { log: quietLog });
    try {
      for (const dir of [v1, v2]) await syncSchema(db, (await loadModel(dir)).model!, { allowDestructive: false, log: quietLog });
      const compatible = await runKiln(['ddl', v1, '--db', `sqlite:${path}`]);
      expect(compatible.code).toBe(0);
      expect(compatible.stdout).toContain(
        '-- this model (version 1.0.0, #1) is older than the one that last synchronised the database (version 2.0.0, #2); a start changes nothing',
      );
      await syncSchema(db, (await loadModel(v3)).model!, { allowDestructive: false, log: quietLog });
      const refused = await runKiln(['ddl', v2, '--db', `sqlite:${path}`]);
      expect(refused.code).toBe(2);
      expect(refused.stdout).toContain(
        '-- REFUSED: this model (version 2.0.0, #2) is older than the one that last synchronised the database (version 3.0.0, #3) and cannot serve with its schema: it needs entity T.Item (table t$item), which the newer model renamed or removed',
      );
    } finally {
      await db.close();
    }
  });

  it('says in one line when the database cannot be reached', async () => {
    const r = await runKiln(['ddl', 'examples/employees', '--db', 'postgres://u:secret@127.0.0.1:1/x']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^kiln ddl: cannot connect to the database postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x: .*ECONNREFUSED/);
  });
});
