import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { runKiln } from '../support/cli.js';
import { openDatabase, syncSchema } from '../../src/data/index.js';
import { loadModel } from '../../src/model/index.js';
import { quietLog } from './support.js';

describe('kiln ddl', () => {
  let t: TestDatabase;
  beforeAll(async () => { t = await freshDatabase('postgres'); });
  afterAll(async () => { await t?.drop(); });

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

  it('says in one line when the database cannot be reached', async () => {
    const r = await runKiln(['ddl', 'examples/employees', '--db', 'postgres://u:secret@127.0.0.1:1/x']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^kiln ddl: cannot connect to the database postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x: .*ECONNREFUSED/);
  });
});
