/**
 * The client's own texts in the user's language: app.yaml's `clientTexts` (sent with the
 * navigation, already in the user's language), else the built-in table of that language
 * (src/model/client-texts.ts, bundled), else English. Set by the shell before it renders.
 */
import { CLIENT_TEXTS, type ClientTextKey } from '../../../src/model/client-texts';

let language = 'en_US';
let overrides: Readonly<Record<string, string>> = {};

/** `nl_NL`, or a browser tag such as `nl-BE`/`nl`: the built-in table of that language, else of its base language. */
function tableOf(code: string | null | undefined): string {
  if (!code) return 'en_US';
  const c = code.replace('-', '_');
  if (CLIENT_TEXTS[c]) return c;
  return Object.keys(CLIENT_TEXTS).find((k) => k.slice(0, 2).toLowerCase() === c.slice(0, 2).toLowerCase()) ?? 'en_US';
}

export function setClientTexts(code: string | null | undefined, fromModel: Readonly<Record<string, string>> = {}): void {
  language = tableOf(code);
  overrides = fromModel;
}

/** A client text with `{1}`, `{2}`, ... filled in. */
export function t(key: ClientTextKey, ...params: (string | number)[]): string {
  const text = overrides[key] ?? CLIENT_TEXTS[language]?.[key] ?? CLIENT_TEXTS.en_US![key];
  return params.length === 0 ? text : text.replace(/\{(\d+)\}/g, (m, n: string) => (params[Number(n) - 1] !== undefined ? String(params[Number(n) - 1]) : m));
}
