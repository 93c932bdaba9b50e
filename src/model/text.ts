/**
 * A text as the model writes it: one string, or one text per language of app.yaml's
 * `languages` (`{en_US: Orders, nl_NL: Bestellingen}`). Captions, messages and
 * validation texts all take this shape; `translate` picks one language's text.
 */
export type ModelText = string | Readonly<Record<string, string>>;

/** A model text in one language, else the fallback (the app's default language), else the first given. */
export function translate(v: unknown, language: string | null | undefined, fallback: string | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const t = v as Record<string, unknown>;
  const pick = (l: string | null | undefined) => (l && typeof t[l] === 'string' ? (t[l] as string) : undefined);
  return pick(language) ?? pick(fallback) ?? Object.values(t).find((x): x is string => typeof x === 'string');
}
