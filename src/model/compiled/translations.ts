import type { Diagnostic } from '../diagnostics.js';
import type { SourceFile } from '../load/source-file.js';
import type { CompiledModel } from './types.js';
import { isClientTextKey } from '../client-texts.js';

const CODE = /^[a-z]{2}_[A-Z]{2}$/;

/**
 * Texts written per language (`{en_US: Orders, nl_NL: Bestellingen}`) in pages, layouts,
 * snippets, the menu, enumeration captions, validation rule messages, microflow and nanoflow
 * messages and app.yaml's `clientTexts` name only app.yaml's `languages` (an error
 * otherwise); a text that lacks one of them is a warning (the default language's text is
 * shown instead). Also checks `clientTexts` keys and `defaultTimeZone`.
 */
export function checkTranslations(model: CompiledModel, appFile: SourceFile | undefined, out: Diagnostic[]): void {
  const languages = model.app.languages ?? [];
  // `path` is one array pushed and popped along the walk (copied only into a diagnostic): the
  // walk visits every node of every page and microflow.
  const visit = (file: SourceFile, node: unknown, path: (string | number)[]): void => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        path.push(i);
        visit(file, node[i], path);
        path.pop();
      }
      return;
    }
    if (!node || typeof node !== 'object') return;
    const entries = Object.entries(node);
    if (entries.length > 0 && entries.every(([k, v]) => CODE.test(k) && typeof v === 'string')) {
      if (languages.length === 0) {
        out.push(file.diagnostic([...path], "a text per language needs the app's languages: add languages: [...] to app.yaml"));
        return;
      }
      for (const [k] of entries)
        if (!languages.includes(k))
          out.push(file.diagnostic([...path, k], `'${k}' is not one of the app's languages (${languages.join(', ')})`, 'error', { atKey: true }));
      const missing = languages.filter((l) => !Object.hasOwn(node, l));
      if (missing.length) out.push(file.diagnostic([...path], `no ${missing.join(', ')} text (the ${languages[0]} text is shown instead)`, 'warning'));
      return;
    }
    for (const [k, v] of entries) {
      path.push(k);
      visit(file, v, path);
      path.pop();
    }
  };
  for (const unit of [...model.pages.values(), ...(model.layouts?.values() ?? []), ...(model.snippets?.values() ?? [])]) visit(unit.source.file, unit.def, []);
  for (const f of model.files) {
    if (!f.data || typeof f.data !== 'object') continue;
    if (f.kind === 'domain-model') {
      // Enumeration captions (enumerations.<Enum>.<Key>.caption) and validation messages (entities.<E>.validation).
      const { enumerations, entities } = f.data as { enumerations?: unknown; entities?: unknown };
      if (enumerations && typeof enumerations === 'object') visit(f, enumerations, ['enumerations']);
      if (entities && typeof entities === 'object')
        for (const [name, e] of Object.entries(entities))
          if (e && typeof e === 'object' && 'validation' in e) visit(f, (e as { validation: unknown }).validation, ['entities', name, 'validation']);
    }
    // Show message, validation feedback and error texts.
    if (f.kind === 'microflow' || f.kind === 'nanoflow') visit(f, f.data, []);
  }
  if (!appFile) return;
  visit(appFile, model.app.navigation.menu ?? [], ['navigation', 'menu']);
  for (const [key, text] of Object.entries(model.app.clientTexts ?? {})) {
    if (!isClientTextKey(key))
      out.push(appFile.diagnostic(['clientTexts', key], `'${key}' is not one of the client's texts (docs/client.md lists them)`, 'error', { atKey: true }));
    else visit(appFile, text, ['clientTexts', key]);
  }
  const zone = model.app.defaultTimeZone;
  if (zone !== undefined && !isTimeZone(zone))
    out.push(appFile.diagnostic(['defaultTimeZone'], `unknown time zone '${zone}' (an IANA name such as Europe/Amsterdam or UTC)`));
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
