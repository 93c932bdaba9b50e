import type { Database } from '../data/index.js';
import type { CompiledModel } from '../model/compiled/types.js';

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
    const rows = await db.query<{ code: unknown }>(sql, [userId]);
    const c = rows[0]?.code;
    return typeof c === 'string' ? c : null;
  };
}

/**
 * The language a user's texts are sent in: the one they chose in a language selector
 * (`?lang=`), else their System.User_Language, else the first of the browser's
 * Accept-Language the app has (by exact code, then by language alone), else the app's
 * default (the first of app.yaml's languages). Null when the app names no languages.
 */
export function resolveLanguage(
  languages: readonly string[],
  chosen: string | undefined,
  userLanguage: string | null,
  acceptLanguage: string | undefined,
): string | null {
  if (languages.length === 0) return null;
  for (const c of [chosen, userLanguage]) if (c && languages.includes(c)) return c;
  const wanted = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^q=([\d.]+)$/.exec(p.trim())).find(Boolean);
      return { tag: (tag ?? '').replace('-', '_'), q: q ? Number(q[1]) : 1 };
    })
    .filter((w) => w.tag && w.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const w of wanted) {
    const exact = languages.find((l) => l.toLowerCase() === w.tag.toLowerCase());
    if (exact) return exact;
    const base = languages.find((l) => l.slice(0, 2).toLowerCase() === w.tag.slice(0, 2).toLowerCase());
    if (base) return base;
  }
  return languages[0]!;
}
