/** A problem found in a model, located by file, line and the path inside the file. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  /** File relative to the app folder, with forward slashes. */
  file: string;
  /** 1-based line, 0 when unknown. */
  line: number;
  /** 1-based column, when known (expressions and XPath report the column inside the file). */
  column?: number;
  /** Dotted path inside the file, e.g. `entities.Order.attributes.Total`. Empty for the whole file. */
  path: string;
  message: string;
  /** A stable identifier of the rule, e.g. `unknown-attribute`, `schema-unknown-property`, `yaml-syntax`. */
  code?: string;
  /** The span of the offending text, 1-based and end-exclusive, when known. */
  range?: DiagnosticRange;
  /** Other places that explain the problem (the first definition of a duplicate, ...). */
  related?: RelatedLocation[];
  /** The likely intended text (`String` for `Strin`), found among the names in scope. */
  suggestion?: string;
}

export interface DiagnosticPosition {
  readonly line: number;
  readonly column: number;
}

export interface DiagnosticRange {
  readonly start: DiagnosticPosition;
  readonly end: DiagnosticPosition;
}

export interface RelatedLocation {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
  readonly message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const loc = d.line > 0 ? `${d.file}:${d.line}${d.column ? `:${d.column}` : ''}` : d.file;
  const where = d.path ? ` ${d.path}` : '';
  const sev = d.severity === 'warning' ? 'warning: ' : '';
  const hint = d.suggestion !== undefined ? ` (did you mean '${d.suggestion}'?)` : '';
  return `${loc}${where}: ${sev}${d.message}${hint}`;
}

/** Raised for user errors (bad model, bad settings): printed as one clear report, never a stack trace. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export function pathToString(path: readonly (string | number)[]): string {
  return path.map((p) => String(p)).join('.');
}
