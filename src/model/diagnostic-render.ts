import { type Diagnostic, formatDiagnostic } from './diagnostics.js';

/** ANSI styles, or none (a pipe, a file, NO_COLOR). */
interface Style {
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const sgr = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const COLOR: Style = { red: sgr(31, 39), yellow: sgr(33, 39), cyan: sgr(36, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
const PLAIN: Style = { red: (s) => s, yellow: (s) => s, cyan: (s) => s, dim: (s) => s, bold: (s) => s };

/** Whether a stream should get colours: a terminal, unless NO_COLOR is set; FORCE_COLOR forces them. */
export function wantsColor(stream: { isTTY?: boolean }, env: Record<string, string | undefined> = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

/**
 * A diagnostic for a person: the one-line summary (`file:line path: message`),
 * then the offending line with a caret under the offending text, the suggestion
 * and the related locations. `source` gives a file's text by its relative path.
 */
export function renderDiagnostic(d: Diagnostic, source: (file: string) => string | undefined, color: boolean): string {
  const st = color ? COLOR : PLAIN;
  const sevColor = d.severity === 'error' ? st.red : st.yellow;
  const header = formatDiagnostic(d);
  const out: string[] = [];
  if (color) {
    const loc = header.slice(0, header.indexOf(': ') + 1);
    out.push(`${sevColor(st.bold(d.severity))}${d.code ? sevColor(`[${d.code}]`) : ''} ${st.bold(loc)}${header.slice(loc.length)}`);
  } else out.push(header);
  const text = d.line > 0 ? source(d.file) : undefined;
  const lineText = text?.split(/\r?\n/)[d.line - 1];
  if (lineText !== undefined) {
    const start = d.range?.start.line === d.line ? d.range.start.column : d.column;
    const width = String(d.line).length;
    const gutter = (s: string) => st.cyan(`${s.padStart(width)} | `);
    out.push(`${gutter(String(d.line))}${lineText.replace(/\t/g, ' ')}`);
    if (start !== undefined && start >= 1) {
      let end = d.range && d.range.end.line === d.line ? d.range.end.column : start + wordLength(lineText, start - 1);
      if (d.range && d.range.end.line > d.line) end = lineText.length + 1;
      const caret = '^'.repeat(Math.max(1, end - start));
      const hint = d.suggestion !== undefined ? ` did you mean '${d.suggestion}'?` : '';
      out.push(`${gutter('')}${' '.repeat(start - 1)}${sevColor(caret)}${sevColor(hint)}`);
    }
  }
  for (const r of d.related ?? []) out.push(`  ${st.cyan('note:')} ${r.file}:${r.line}${r.column ? `:${r.column}` : ''}: ${r.message}`);
  return out.join('\n');
}

function wordLength(line: string, from: number): number {
  const m = /^[\w.$/]+/.exec(line.slice(from));
  return m ? m[0].length : 1;
}

/** The summary line: `2 errors, 1 warning`. */
export function countDiagnostics(ds: readonly Diagnostic[]): { errors: number; warnings: number; text: string } {
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.length - errors;
  const n = (k: number, one: string) => `${k} ${one}${k === 1 ? '' : 's'}`;
  return { errors, warnings, text: `${n(errors, 'error')}${warnings ? `, ${n(warnings, 'warning')}` : ''}` };
}

/** A GitHub Actions workflow command, which GitHub shows as an annotation on the file. */
export function githubAnnotation(d: Diagnostic, filePath: string): string {
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => esc(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const props = [`file=${prop(filePath)}`];
  if (d.line > 0) props.push(`line=${d.line}`);
  const col = d.range?.start.column ?? d.column;
  if (col) props.push(`col=${col}`);
  if (d.range) props.push(`endLine=${d.range.end.line}`, `endColumn=${d.range.end.column}`);
  if (d.code) props.push(`title=${prop(d.code)}`);
  const msg = `${d.path ? `${d.path}: ` : ''}${d.message}${d.suggestion !== undefined ? ` (did you mean '${d.suggestion}'?)` : ''}`;
  return `::${d.severity} ${props.join(',')}::${esc(msg)}`;
}
