import type { FastifyRequest } from 'fastify';
import type { CompiledModel } from '../model/compiled/types.js';
import type { UserContext } from './user-context.js';

/**
 * The language a user's texts are sent in: the one their client shows or they chose in a
 * language selector (`?lang=` for pages, the `X-Kiln-Language` header on other requests),
 * else their System.User_Language, else the first of the browser's Accept-Language the app
 * has (by exact code, then by language alone), else the app's default (the first of
 * app.yaml's languages). Null when the app names no languages.
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

/** The header the browser client sends with the language it shows. */
const LANGUAGE_HEADER = 'x-kiln-language';

/** Per session context, its copies in each language (so a request allocates nothing and role caches keyed by context stay warm). */
const inLanguage = new WeakMap<UserContext, Map<string, UserContext>>();

/**
 * The request's user context with the language its texts are rendered in (messages and
 * validation texts given per language): the request's X-Kiln-Language, else the user's
 * stored language, else Accept-Language, else the default. Unchanged when the app names no languages.
 */
export function withRequestLanguage<U extends UserContext | null | undefined>(model: CompiledModel, user: U, request: FastifyRequest): U {
  const languages = model.app.languages ?? [];
  if (!user || languages.length === 0) return user;
  const header = request.headers[LANGUAGE_HEADER];
  const lang = resolveLanguage(languages, typeof header === 'string' ? header : undefined, user.language ?? null, request.headers['accept-language']);
  if (lang === null || lang === user.language) return user;
  let copies = inLanguage.get(user);
  if (!copies) inLanguage.set(user, (copies = new Map()));
  let copy = copies.get(lang);
  if (!copy) copies.set(lang, (copy = { ...user, language: lang }));
  return copy as U;
}
