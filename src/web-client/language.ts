import { commitObjects, createObject, idToDb, type Database, type IdGenerator } from '../data/index.js';
import type { CompiledModel } from '../model/compiled/types.js';
import { setValue } from '../objects/mx-object.js';
import { withStartupLock } from '../security/bootstrap.js';

/**
 * The user's language as Mendix keeps it: the Code of the System.Language their
 * System.User_Language reference points to. One SELECT built once from the compiled
 * model's names, the user id bound; null when unset or the model has no languages.
 */
export function userLanguageReader(model: CompiledModel, db: Database): (userId: bigint) => Promise<string | null> {
  const assoc = model.associations.get('System.User_Language');
  const lang = model.entities.get('System.Language');
  const code = lang?.attributes.get('Code');
  if (!assoc || !lang || !code || (model.app.languages ?? []).length === 0) return async () => null;
  const q = (n: string) => db.dialect.quote(n);
  const sql = `SELECT l.${q(code.column)} AS code FROM ${q(assoc.table)} ul JOIN ${q(lang.table)} l ON l.${q('id')} = ul.${q(assoc.childColumn)} WHERE ul.${q(assoc.parentColumn)} = ${db.dialect.placeholder(1)}`;
  return async (userId) => {
    const rows = await db.query<{ code: unknown }>(sql, [idToDb(db.dialect, userId)]);
    const c = rows[0]?.code;
    return typeof c === 'string' ? c : null;
  };
}

export { resolveLanguage } from '../security/request-language.js';

/**
 * As Mendix at start-up: a System.Language object per language of app.yaml (its Code), so
 * users can point their System.User_Language at one. Under the data layer's start-up lock,
 * so instances starting together create each once.
 */
export async function ensureLanguages(model: CompiledModel, db: Database, ids: IdGenerator): Promise<void> {
  const languages = model.app.languages ?? [];
  const lang = model.entities.get('System.Language');
  const code = lang?.attributes.get('Code');
  if (!lang || !code || languages.length === 0) return;
  await withStartupLock(db, async () => {
    const rows = await db.query<{ code: unknown }>(`SELECT ${db.dialect.quote(code.column)} AS code FROM ${db.dialect.quote(lang.table)}`, []);
    const have = new Set(rows.map((r) => String(r.code)));
    const missing: Awaited<ReturnType<typeof createObject>>[] = [];
    for (const c of languages.filter((l) => !have.has(l))) {
      const o = await createObject(model, 'System.Language', ids);
      setValue(o, 'Code', c);
      setValue(o, 'Description', c);
      missing.push(o);
    }
    if (missing.length) await db.transaction((tx) => commitObjects(tx, model, missing));
  });
}

/**
 * Points a user's System.User_Language at the System.Language of `code` (what a language
 * selector chooses, as Mendix stores it): the user may write their own User_Language
 * (System's access rule), so this is their own change, not an administrator's.
 */
export function userLanguageWriter(model: CompiledModel, db: Database): ((userId: bigint, code: string) => Promise<boolean>) | undefined {
  const assoc = model.associations.get('System.User_Language');
  const lang = model.entities.get('System.Language');
  const codeAttr = lang?.attributes.get('Code');
  if (!assoc || !lang || !codeAttr) return undefined;
  const q = (n: string) => db.dialect.quote(n);
  const p = (i: number) => db.dialect.placeholder(i);
  const find = `SELECT ${q('id')} AS id FROM ${q(lang.table)} WHERE ${q(codeAttr.column)} = ${p(1)}`;
  const clear = `DELETE FROM ${q(assoc.table)} WHERE ${q(assoc.parentColumn)} = ${p(1)}`;
  const set = `INSERT INTO ${q(assoc.table)} (${q(assoc.parentColumn)}, ${q(assoc.childColumn)}) VALUES (${p(1)}, ${p(2)})`;
  return async (userId, code) => {
    const rows = await db.query<{ id: unknown }>(find, [code]);
    const id = rows[0]?.id;
    if (id === undefined || id === null) return false;
    await db.transaction(async (tx) => {
      await tx.execute(clear, [idToDb(db.dialect, userId)]);
      await tx.execute(set, [idToDb(db.dialect, userId), id]);
    });
    return true;
  };
}
