import { translate, type ModelText } from './text.js';

/**
 * The browser client's own texts (buttons it adds, paging, dialogs, input errors), built in
 * for en_US and nl_NL. Pure data: the client bundles this file, and the runtime reads the
 * keys to check app.yaml's `clientTexts` (which overrides any of them, per language) and to
 * caption a save/cancel/delete button the model gives no caption. `{1}`, `{2}` are filled in
 * by the client. Another language falls back to en_US unless app.yaml gives its texts.
 */
const EN_US = {
  save: 'Save',
  cancel: 'Cancel',
  delete: 'Delete',
  close: 'Close',
  closeDialog: 'Close dialog',
  ok: 'OK',
  search: 'Search',
  searchIn: 'Search {1}',
  all: 'All',
  yes: 'Yes',
  no: 'No',
  none: 'None',
  loading: 'Loading…',
  working: 'Working…',
  noResults: 'No items found.',
  noPage: 'No page to show.',
  pagerRange: '{1}–{2}',
  pagerRangeOf: '{1}–{2} of {3}',
  pages: 'Pages',
  firstPage: 'First page',
  previousPage: 'Previous page',
  nextPage: 'Next page',
  lastPage: 'Last page',
  actions: 'Actions',
  selectAllRows: 'Select all rows on this page',
  selectRow: 'Select row',
  shownColumns: 'Shown columns',
  filterOn: 'Filter {1}',
  dateOn: 'On',
  dateAfter: 'After',
  dateBefore: 'Before',
  pleaseConfirm: 'Please confirm',
  error: 'Error',
  warning: 'Warning',
  information: 'Information',
  confirmDeleteOne: 'Are you sure you want to delete this item?',
  confirmDeleteMany: 'Are you sure you want to delete these {1} items?',
  selectFirst: 'Select an item first.',
  itemGone: 'This item is no longer available.',
  enterWholeNumber: 'Enter a whole number.',
  enterNumber: 'Enter a number.',
  numberTooLarge: 'The number is too large.',
  invalidDate: 'Enter a date like {1}.',
  openCalendar: 'Calendar',
  signIn: 'Sign in',
  signInToContinue: 'Sign in to continue.',
  userName: 'User name',
  password: 'Password',
  wrongPassword: 'The username or password you entered is incorrect.',
  blocked: 'This account is blocked after too many failed sign-in attempts. Try again later or ask an administrator.',
  skipToContent: 'Skip to content',
  signOut: 'Sign out',
  changePassword: 'Change password',
  mainMenu: 'Main menu',
  language: 'Language',
  connectionLost: 'The connection to the server is lost. Retrying in {1} s (attempt {2})…',
  tryAgain: 'Try again',
  noFile: 'No file',
  upload: 'Upload…',
  replace: 'Replace…',
  saveToUpload: 'Save to upload a file.',
  invalidLink: 'This link cannot be opened.',
};

export type ClientTextKey = keyof typeof EN_US;

/** Every key of en_US, in Dutch (the type makes a missing one an error). */
const NL_NL: Record<ClientTextKey, string> = {
  save: 'Opslaan',
  cancel: 'Annuleren',
  delete: 'Verwijderen',
  close: 'Sluiten',
  closeDialog: 'Venster sluiten',
  ok: 'OK',
  search: 'Zoeken',
  searchIn: 'Zoeken in {1}',
  all: 'Alle',
  yes: 'Ja',
  no: 'Nee',
  none: 'Geen',
  loading: 'Laden…',
  working: 'Bezig…',
  noResults: 'Geen resultaten.',
  noPage: 'Geen pagina om te tonen.',
  pagerRange: '{1}–{2}',
  pagerRangeOf: '{1}–{2} van {3}',
  pages: "Pagina's",
  firstPage: 'Eerste pagina',
  previousPage: 'Vorige pagina',
  nextPage: 'Volgende pagina',
  lastPage: 'Laatste pagina',
  actions: 'Acties',
  selectAllRows: 'Alle rijen op deze pagina selecteren',
  selectRow: 'Rij selecteren',
  shownColumns: 'Getoonde kolommen',
  filterOn: 'Filter {1}',
  dateOn: 'Op',
  dateAfter: 'Na',
  dateBefore: 'Voor',
  pleaseConfirm: 'Bevestig',
  error: 'Fout',
  warning: 'Waarschuwing',
  information: 'Informatie',
  confirmDeleteOne: 'Weet u zeker dat u dit item wilt verwijderen?',
  confirmDeleteMany: 'Weet u zeker dat u deze {1} items wilt verwijderen?',
  selectFirst: 'Selecteer eerst een item.',
  itemGone: 'Dit item is niet meer beschikbaar.',
  enterWholeNumber: 'Voer een geheel getal in.',
  enterNumber: 'Voer een getal in.',
  numberTooLarge: 'Het getal is te groot.',
  invalidDate: 'Voer een datum in zoals {1}.',
  openCalendar: 'Kalender',
  signIn: 'Aanmelden',
  signInToContinue: 'Meld u aan om verder te gaan.',
  userName: 'Gebruikersnaam',
  password: 'Wachtwoord',
  wrongPassword: 'De gebruikersnaam of het wachtwoord is onjuist.',
  blocked: 'Dit account is geblokkeerd na te veel mislukte aanmeldpogingen. Probeer het later opnieuw of vraag een beheerder.',
  skipToContent: 'Naar de inhoud',
  signOut: 'Afmelden',
  changePassword: 'Wachtwoord wijzigen',
  mainMenu: 'Hoofdmenu',
  language: 'Taal',
  connectionLost: 'De verbinding met de server is verbroken. Nieuwe poging over {1} s (poging {2})…',
  tryAgain: 'Opnieuw proberen',
  noFile: 'Geen bestand',
  upload: 'Uploaden…',
  replace: 'Vervangen…',
  saveToUpload: 'Sla op om een bestand te uploaden.',
  invalidLink: 'Deze link kan niet worden geopend.',
};

export const CLIENT_TEXTS: Readonly<Record<string, Readonly<Record<ClientTextKey, string>>>> = { en_US: EN_US, nl_NL: NL_NL };

/** The built-in text of `key` in `language` (en_US when the client has no table for it). */
function builtInText(key: ClientTextKey, language: string | null | undefined): string {
  return (language ? CLIENT_TEXTS[language]?.[key] : undefined) ?? EN_US[key];
}

export function isClientTextKey(key: string): key is ClientTextKey {
  return Object.hasOwn(EN_US, key);
}

/** app.yaml's `clientTexts` in one language (the default language's text when that one has none): what the client uses instead of its own. */
export function clientTextOverrides(
  overrides: Readonly<Record<string, ModelText>> | undefined,
  language: string | null,
  defaultLanguage: string | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, text] of Object.entries(overrides ?? {})) {
    const t = translate(text, language, defaultLanguage);
    if (t !== undefined) out[key] = t;
  }
  return out;
}

/** One client text in a language as the user sees it: app.yaml's override, else the built-in one. */
export function clientText(
  overrides: Readonly<Record<string, ModelText>> | undefined,
  key: ClientTextKey,
  language: string | null,
  defaultLanguage: string | undefined,
): string {
  return translate(overrides?.[key], language, defaultLanguage) ?? builtInText(key, language);
}
