/** Tokens of the expression language, with their offsets in the text. */
export interface Token {
  readonly type: 'number' | 'string' | 'variable' | 'constant' | 'name' | 'token' | 'op' | 'keyword' | 'eof';
  readonly text: string;
  /** For strings: the value with `''` unescaped. */
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

export class SyntaxError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

const KEYWORDS = new Set(['and', 'or', 'not', 'div', 'mod', 'if', 'then', 'else', 'empty', 'true', 'false']);
const NAME = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;
const NUMBER = /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= n) throw new SyntaxError('unterminated string: a closing quote is missing', start, n);
        const ch = text[i]!;
        if (ch === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += ch;
        i++;
      }
      out.push({ type: 'string', text: text.slice(start, i), value, start, end: i });
      continue;
    }
    if (c === '$') {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(text);
      if (!m) throw new SyntaxError("'$' must be followed by a variable name", start, start + 1);
      i = NAME.lastIndex;
      out.push({ type: 'variable', text: text.slice(start, i), value: m[0], start, end: i });
      continue;
    }
    if (c === '@') {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(text);
      if (!m || !m[0].includes('.'))
        throw new SyntaxError("'@' must be followed by a qualified constant name (@Module.Constant)", start, start + 1 + (m?.[0].length ?? 0));
      i = NAME.lastIndex;
      out.push({ type: 'constant', text: text.slice(start, i), value: m[0], start, end: i });
      continue;
    }
    if (c >= '0' && c <= '9') {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text)!;
      i = NUMBER.lastIndex;
      out.push({ type: 'number', text: m[0], value: m[0], start, end: i });
      continue;
    }
    if (c === '[' && text[i + 1] === '%') {
      const close = text.indexOf('%]', i + 2);
      if (close < 0) throw new SyntaxError("unterminated token: '%]' is missing", start, n);
      i = close + 2;
      out.push({ type: 'token', text: text.slice(start, i), value: text.slice(start + 2, close), start, end: i });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      NAME.lastIndex = i;
      const m = NAME.exec(text)!;
      i = NAME.lastIndex;
      const word = m[0];
      out.push({ type: KEYWORDS.has(word) ? 'keyword' : 'name', text: word, value: word, start, end: i });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '!=' || two === '<=' || two === '>=') {
      i += 2;
      out.push({ type: 'op', text: two, value: two, start, end: i });
      continue;
    }
    if ('+-*:/=<>(),'.includes(c)) {
      i++;
      out.push({ type: 'op', text: c, value: c, start, end: i });
      continue;
    }
    throw new SyntaxError(`unexpected character '${c}'`, start, start + 1);
  }
  out.push({ type: 'eof', text: '', value: '', start: n, end: n });
  return out;
}
