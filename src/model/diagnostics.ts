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
}

export function formatDiagnostic(d: Diagnostic): string {
  const loc = d.line > 0 ? `${d.file}:${d.line}${d.column ? `:${d.column}` : ''}` : d.file;
  const where = d.path ? ` ${d.path}` : '';
  const sev = d.severity === 'warning' ? 'warning: ' : '';
  return `${loc}${where}: ${sev}${d.message}`;
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
