import type { CompiledModel } from '../model/compiled/types.js';
import { canOpenPage } from '../security/document-access.js';
import type { UserContext } from '../security/user-context.js';
import { translate } from '../model/text.js';
import { clientTextOverrides } from '../model/client-texts.js';
import type { ClientNavigation } from './page-definition.js';

/**
 * The menu and home page of one user: menu items to pages the user may not open
 * are left out; the home page is the first of the user's roles' home pages
 * (navigation.homeByRole), else the default home, else the first menu page.
 */
export function buildNavigation(model: CompiledModel, user: UserContext, language: string | null = null, textLanguage: string | null = null): ClientNavigation {
  const languages = model.app.languages ?? [];
  const nav = model.app.navigation;
  const menu = (nav.menu ?? [])
    .filter((m): m is typeof m & { page: string } => typeof m.page === 'string' && canOpenPage(model, user, m.page))
    .map((m) => ({ caption: translate(m.caption, textLanguage ?? undefined, languages[0]) ?? m.page, page: m.page }));
  const candidates = [...user.userRoles.map((r) => nav.homeByRole?.[r]).filter((p): p is string => typeof p === 'string'), ...(nav.home ? [nav.home] : [])];
  const home = candidates.find((p) => canOpenPage(model, user, p)) ?? menu[0]?.page ?? null;
  return {
    appName: model.app.name,
    appVersion: model.app.version,
    home,
    menu,
    userName: user.userName,
    roles: [...user.userRoles],
    securityLevel: model.security.level,
    languages,
    language: language && languages.includes(language) ? language : null,
    textLanguage,
    timeZone: user.timeZoneKnown ? user.timeZone : null,
    clientTexts: clientTextOverrides(model.app.clientTexts, textLanguage, languages[0]),
  };
}
