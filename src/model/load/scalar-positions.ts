/**
 * Where each character of a YAML scalar's value was written in the file, so a
 * problem found at an offset inside an expression or XPath (possibly spread
 * over several lines, folded, quoted with escapes) is reported at its real
 * line and column. Returns one source offset per value character plus one for
 * the end, or undefined when the decoding does not reproduce the value (the
 * caller then falls back to the start of the scalar).
 */
export type ScalarStyle = 'PLAIN' | 'QUOTE_SINGLE' | 'QUOTE_DOUBLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';

interface Out {
  chars: string[];
  pos: number[];
}

export function scalarPositions(src: string, start: number, end: number, style: ScalarStyle, value: string): number[] | undefined {
  const out: Out = { chars: [], pos: [] };
  switch (style) {
    case 'PLAIN':
      flow(src, start, end, out, 'plain');
      break;
    case 'QUOTE_SINGLE':
      flow(src, start + 1, end - 1, out, 'single');
      break;
    case 'QUOTE_DOUBLE':
      flow(src, start + 1, end - 1, out, 'double');
      break;
    default:
      block(src, start, end, out, style === 'BLOCK_FOLDED');
      break;
  }
  const text = out.chars.join('');
  // Block scalars may differ in the trailing line breaks (chomping): compare without them.
  if (text !== value && text.replace(/\n+$/, '') !== value.replace(/\n+$/, '')) return undefined;
  const pos = out.pos.slice(0, value.length);
  while (pos.length < value.length) pos.push(pos.at(-1) ?? start);
  // One past the value: the closing quote of a quoted scalar, else the end of the scalar.
  const after = style === 'QUOTE_SINGLE' || style === 'QUOTE_DOUBLE' ? end - 1 : end;
  pos.push(value.length < out.pos.length ? out.pos[value.length]! : after);
  return pos;
}

/** Flow scalars: line breaks fold to a space (empty lines to '\n'), continuation lines lose their indentation. */
function flow(src: string, from: number, to: number, out: Out, kind: 'plain' | 'single' | 'double'): void {
  let i = from;
  let lineStart = true;
  const emit = (c: string, at: number) => {
    out.chars.push(c);
    out.pos.push(at);
  };
  while (i < to) {
    const c = src[i]!;
    if (c === '\n' || c === '\r') {
      // Trailing whitespace before the break is dropped (not escaped whitespace: handled below).
      while (out.chars.length > 0 && (out.chars.at(-1) === ' ' || out.chars.at(-1) === '\t') && out.pos.at(-1)! >= lineStartAt(src, i)) {
        out.chars.pop();
        out.pos.pop();
      }
      const breakAt = i;
      let empties = 0;
      i = skipBreak(src, i);
      for (;;) {
        let j = i;
        while (j < to && (src[j] === ' ' || src[j] === '\t')) j++;
        if (j < to && (src[j] === '\n' || src[j] === '\r')) {
          empties++;
          i = skipBreak(src, j);
          continue;
        }
        i = j;
        break;
      }
      if (empties === 0) emit(' ', breakAt);
      else for (let k = 0; k < empties; k++) emit('\n', breakAt);
      lineStart = true;
      continue;
    }
    if (lineStart && kind === 'plain' && (c === ' ' || c === '\t')) {
      i++;
      continue;
    }
    lineStart = false;
    if (kind === 'single' && c === "'" && src[i + 1] === "'") {
      emit("'", i);
      i += 2;
      continue;
    }
    if (kind === 'double' && c === '\\') {
      const e = src[i + 1];
      if (e === '\n' || e === '\r') {
        // An escaped line break joins the lines without a space.
        i = skipBreak(src, i + 1);
        while (i < to && (src[i] === ' ' || src[i] === '\t')) i++;
        continue;
      }
      const simple: Record<string, string> = {
        n: '\n',
        t: '\t',
        '\t': '\t',
        r: '\r',
        '"': '"',
        '\\': '\\',
        '/': '/',
        ' ': ' ',
        '0': '\0',
        a: '\x07',
        b: '\b',
        e: '\x1b',
        f: '\f',
        v: '\v',
        N: '\u0085',
        _: '\u00a0',
        L: '\u2028',
        P: '\u2029',
      };
      if (e !== undefined && e in simple) {
        emit(simple[e]!, i);
        i += 2;
        continue;
      }
      const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      if (width > 0) {
        const cp = Number.parseInt(src.slice(i + 2, i + 2 + width), 16);
        for (const ch of String.fromCodePoint(cp)) emit(ch, i);
        i += 2 + width;
        continue;
      }
    }
    emit(c, i);
    i++;
  }
  // Plain scalars never end in whitespace.
  if (kind === 'plain')
    while (out.chars.length > 0 && (out.chars.at(-1) === ' ' || out.chars.at(-1) === '\t')) {
      out.chars.pop();
      out.pos.pop();
    }
}

/** Block scalars (`|`, `>`): content lines after the header, their common indentation removed. */
function block(src: string, start: number, end: number, out: Out, folded: boolean): void {
  const headerEnd = src.indexOf('\n', start);
  if (headerEnd < 0) return;
  const header = src.slice(start, headerEnd).replace(/#.*$/, '').trim();
  const explicit = /\d/.exec(header);
  const lines: { at: number; text: string }[] = [];
  let i = headerEnd + 1;
  while (i < end) {
    let j = src.indexOf('\n', i);
    if (j < 0 || j > end) j = end;
    lines.push({ at: i, text: src.slice(i, j).replace(/\r$/, '') });
    i = j + 1;
  }
  let indent = explicit ? Number(explicit[0]) + baseIndent(src, start) : -1;
  if (indent < 0) {
    const first = lines.find((l) => l.text.trim() !== '');
    indent = first ? first.text.length - first.text.trimStart().length : 0;
  }
  const emit = (c: string, at: number) => {
    out.chars.push(c);
    out.pos.push(at);
  };
  let prev: 'none' | 'text' | 'more' = 'none';
  let empties = 0;
  let breakAt = start;
  for (const { at, text } of lines) {
    if (text.trim() === '' && text.length <= indent) {
      empties++;
      continue;
    }
    const body = text.slice(indent);
    const more = body.startsWith(' ') || body.startsWith('\t');
    if (prev === 'none') for (let k = 0; k < empties; k++) emit('\n', breakAt);
    // Folding: the break between two ordinary lines becomes a space, or disappears before empty lines.
    else if (folded && prev === 'text' && !more) {
      if (empties === 0) emit(' ', breakAt);
      else for (let k = 0; k < empties; k++) emit('\n', breakAt);
    } else for (let k = 0; k <= empties; k++) emit('\n', breakAt);
    for (let c = 0; c < body.length; c++) emit(body[c]!, at + indent + c);
    prev = more ? 'more' : 'text';
    empties = 0;
    breakAt = at + text.length;
  }
}

function baseIndent(src: string, at: number): number {
  const ls = src.lastIndexOf('\n', at - 1) + 1;
  let n = 0;
  while (src[ls + n] === ' ') n++;
  return n;
}

function lineStartAt(src: string, i: number): number {
  return src.lastIndexOf('\n', i - 1) + 1;
}

function skipBreak(src: string, i: number): number {
  if (src[i] === '\r' && src[i + 1] === '\n') return i + 2;
  return i + 1;
}
