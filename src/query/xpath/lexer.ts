import { XPathSyntaxError } from '../errors.js';

export type TokKind =
  | 'dslash'
  | 'slash'
  | 'lbrack'
  | 'rbrack'
  | 'lparen'
  | 'rparen'
  | 'comma'
  | 'op'
  | 'plus'
  | 'minus'
  | 'star'
  | 'string'
  | 'number'
  | 'name'
  | 'variable'
  | 'token'
  | 'eof';

export interface Tok {
  readonly kind: TokKind;
  /** Source text, or the unquoted value for strings, the inner name for tokens / variables. */
  readonly value: string;
  readonly pos: number;
  readonly end: number;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** Splits XPath text into tokens. Strings use '...' or "..."; a doubled quote is a literal quote. */
export function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    const push = (kind: TokKind, value: string, end: number) => {
      out.push({ kind, value, pos: start, end });
      i = end;
    };
    if (c === '/') {
      if (text[i + 1] === '/') push('dslash', '//', i + 2);
      else push('slash', '/', i + 1);
      continue;
    }
    if (c === '[' && text[i + 1] === '%') {
      const close = text.indexOf('%]', i + 2);
      if (close < 0) throw new XPathSyntaxError("unterminated token: expected '%]'", i, text, ["'%]'"]);
      push('token', text.slice(i + 2, close), close + 2);
      continue;
    }
    if (c === '[') {
      push('lbrack', '[', i + 1);
      continue;
    }
    if (c === ']') {
      push('rbrack', ']', i + 1);
      continue;
    }
    if (c === '(') {
      push('lparen', '(', i + 1);
      continue;
    }
    if (c === ')') {
      push('rparen', ')', i + 1);
      continue;
    }
    if (c === ',') {
      push('comma', ',', i + 1);
      continue;
    }
    if (c === '+') {
      push('plus', '+', i + 1);
      continue;
    }
    if (c === '-') {
      push('minus', '-', i + 1);
      continue;
    }
    if (c === '*') {
      push('star', '*', i + 1);
      continue;
    }
    if (c === '=') {
      push('op', '=', i + 1);
      continue;
    }
    if (c === '!') {
      if (text[i + 1] === '=') {
        push('op', '!=', i + 2);
        continue;
      }
      throw new XPathSyntaxError("unexpected '!': expected '!='", i, text, ["'!='"]);
    }
    if (c === '<' || c === '>') {
      if (text[i + 1] === '=') push('op', `${c}=`, i + 2);
      else push('op', c, i + 1);
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= n) throw new XPathSyntaxError(`unterminated string: expected a closing ${c}`, start, text, [c]);
        const d = text[j]!;
        if (d === c) {
          if (text[j + 1] === c) {
            value += c;
            j += 2;
            continue;
          }
          break;
        }
        value += d;
        j++;
      }
      push('string', value, j + 1);
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      let j = i;
      while (j < n && /[0-9]/.test(text[j]!)) j++;
      if (text[j] === '.' && /[0-9]/.test(text[j + 1] ?? '')) {
        j++;
        while (j < n && /[0-9]/.test(text[j]!)) j++;
      }
      if (j < n && NAME_START.test(text[j]!)) throw new XPathSyntaxError(`malformed number '${text.slice(i, j + 1)}'`, i, text, ['a number']);
      push('number', text.slice(i, j), j);
      continue;
    }
    if (c === '$') {
      let j = i + 1;
      if (!NAME_START.test(text[j] ?? '')) throw new XPathSyntaxError("expected a variable name after '$'", i, text, ['a variable name']);
      while (j < n && NAME_CHAR.test(text[j]!)) j++;
      push('variable', text.slice(i + 1, j), j);
      continue;
    }
    if (NAME_START.test(c)) {
      let j = i;
      for (;;) {
        while (j < n && NAME_CHAR.test(text[j]!)) j++;
        // Function names have hyphens (starts-with, year-from-dateTime); qualified names one dot.
        if ((text[j] === '-' || text[j] === '.') && NAME_START.test(text[j + 1] ?? '')) {
          j++;
          continue;
        }
        break;
      }
      push('name', text.slice(i, j), j);
      continue;
    }
    throw new XPathSyntaxError(`unexpected character '${c}'`, i, text, []);
  }
  out.push({ kind: 'eof', value: '', pos: n, end: n });
  return out;
}
