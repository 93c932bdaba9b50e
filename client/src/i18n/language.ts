/**
 * The language the client asks texts in. A language selector's choice is kept in the
 * browser for the signed-in user (and stored as their System.User_Language by the
 * runtime); without one the runtime decides (System.User_Language, else the browser's
 * Accept-Language, else the app's default).
 */
const KEY = 'kiln.language';

export function chosenLanguage(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function chooseLanguage(code: string): void {
  try {
    localStorage.setItem(KEY, code);
  } catch {
    /* storage blocked: the choice lasts for this page only */
  }
}

/** `nl_NL` -> `nl-NL` (a BCP 47 tag for Intl). */
export function localeOf(code: string | null): string | undefined {
  return code ? code.replace('_', '-') : undefined;
}

/** The language's own name (`Nederlands`; `English (United Kingdom)` when the app has two Englishes), for the selector. */
export function languageName(code: string, all: readonly string[]): string {
  try {
    const tag = localeOf(code)!;
    const base = code.slice(0, 2);
    const ambiguous = all.filter((l) => l.slice(0, 2) === base).length > 1;
    const name = new Intl.DisplayNames([tag], { type: 'language' }).of(ambiguous ? tag : base);
    return name ? name.charAt(0).toUpperCase() + name.slice(1) : code;
  } catch {
    return code;
  }
}

/** A new user signs in: their own System.User_Language decides, not the previous user's choice. */
export function forgetLanguage(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    /* storage blocked */
  }
}
