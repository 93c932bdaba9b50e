import type { Diagnostic } from '../diagnostics.js';
import type { SourceFile } from '../load/source-file.js';
import type { CompiledModel } from './types.js';

const CODE = /^[a-z]{2}_[A-Z]{2}$/;

/**
 * Texts written per language (`{en_US: Orders, nl_NL: Bestellingen}`) in pages, layouts,
 * snippets and the menu name only app.yaml's `languages` (an error otherwise); a text that
 * lacks one of them is a warning (the default language's text is shown instead).
 */
export function checkTranslations(model: CompiledModel, appFile: SourceFile | undefined, out: Diagnostic[]): void {
  const languages = model.app.languages ?? [];
  const visit = (file: SourceFile, node: unknown, path: (string | number)[]): void => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => {
        visit(file, n, [...path, i]);
      });
      return;
    }
    if (!node || typeof node !== 'object') return;
    const entries = Object.entries(node);
    if (entries.length > 0 && entries.every(([k, v]) => CODE.test(k) && typeof v === 'string')) {
      if (languages.length === 0) {
        out.push(file.diagnostic(path, "a text per language needs the app's languages: add languages: [...] to app.yaml"));
        return;
      }
      for (const [k] of entries)
        if (!languages.includes(k))
          out.push(file.diagnostic([...path, k], `'${k}' is not one of the app's languages (${languages.join(', ')})`, 'error', { atKey: true }));
      const missing = languages.filter((l) => !Object.hasOwn(node, l));
      if (missing.length) out.push(file.diagnostic(path, `no ${missing.join(', ')} text (the ${languages[0]} text is shown instead)`, 'warning'));
      return;
    }
    for (const [k, v] of entries) visit(file, v, [...path, k]);
  };
  for (const unit of [...model.pages.values(), ...(model.layouts?.values() ?? []), ...(model.snippets?.values() ?? [])]) visit(unit.source.file, unit.def, []);
  // Enumeration captions: enumerations.<Enum>.<Key>.caption.
  for (const f of model.files)
    if (f.kind === 'domain-model' && f.data && typeof f.data === 'object') {
      const enums = (f.data as { enumerations?: unknown }).enumerations;
      if (enums && typeof enums === 'object') visit(f, enums, ['enumerations']);
    }
  if (appFile) visit(appFile, model.app.navigation.menu ?? [], ['navigation', 'menu']);
}
