/**
 * A fast reader for the YAML that model files are written in: block mappings and sequences,
 * one-line flow collections, one-line plain and quoted scalars, comments. It gives the same data
 * as the `yaml` library's `parseDocument(text, { strict: true, uniqueKeys: true }).toJS()` (YAML
 * 1.2, core schema), without building a tree with positions, which is most of the time of loading
 * a large model. Anything outside that subset, or anything it is not sure of (anchors, tags,
 * block and multi-line scalars, multi-line flow collections, documents markers, tabs, carriage
 * returns, duplicate keys, non-string keys, any syntax error), returns undefined: the caller then
 * parses the file with the `yaml` library, which reports the problems where they are. So a file
 * either reads exactly as with the library or goes to the library.
 *
 * Positions are not needed to load a model without problems; a diagnostic about a file parses
 * it again with positions (source-file.ts).
 */
export function parsePlainYaml(text: string): unknown {
  // Tabs, carriage returns and a byte-order mark take rules this reader does not follow.
  if (text.length === 0 || /[\t\r\uFEFF]/.test(text)) return undefined;
  try {
    return new Reader(text).document();
  } catch (e) {
    if (e === OUT) return undefined;
    throw e;
  }
}

/** Thrown to give up (outside the subset): the whole file goes to the `yaml` library. */
const OUT = Symbol('outside the subset');

function out(): never {
  throw OUT;
}

interface Line {
  /** Offset of the line's first character. */
  readonly start: number;
  /** Offset of the line's first non-space character. */
  readonly at: number;
  /** Offset of the line's end (its '\n' or the end of the text). */
  readonly end: number;
  readonly indent: number;
}

class Reader {
  /** The lines with content (blank lines and comment-only lines left out). */
  private readonly lines: Line[] = [];
  private i = 0;

  constructor(private readonly s: string) {
    let start = 0;
    while (start <= s.length) {
      let end = s.indexOf('\n', start);
      if (end < 0) end = s.length;
      let at = start;
      while (at < end && s.charCodeAt(at) === 32) at++;
      if (at < end && s.charCodeAt(at) !== 35 /* # */) {
        // Document markers and directives.
        if (at === start && (s.startsWith('---', at) || s.startsWith('...', at) || s.charCodeAt(at) === 37) /* % */) out();
        this.lines.push({ start, at, end, indent: at - start });
      }
      start = end + 1;
    }
  }

  document(): unknown {
    if (this.lines.length === 0) out();
    const first = this.lines[0]!;
    if (first.indent !== 0) out();
    const value = this.blockNode(0, first.at, false);
    if (this.i < this.lines.length) out();
    return value;
  }

  /**
   * The node starting at offset `from` of the current line, at column `indent`: a block sequence
   * or mapping, a flow collection or a scalar. After "key: " (`afterKey`) only a flow collection
   * or a scalar may follow on the same line.
   */
  private blockNode(indent: number, from: number, afterKey: boolean): unknown {
    const s = this.s;
    const line = this.lines[this.i]!;
    const c = s.charCodeAt(from);
    if (c === 45 /* - */ && isBlankOrEnd(s, from + 1, line.end)) {
      // A sequence inside a sequence's item on the same line ("- - a") is not in the subset.
      if (afterKey || from !== line.at) out();
      return this.sequence(indent);
    }
    if (!afterKey && findKeyColon(s, from, line.end) >= 0) return this.mapping(indent);
    // A scalar or a flow collection: it must end on this line.
    const value = c === 91 /* [ */ || c === 123 /* { */ ? this.flowLine(from, line.end) : this.inlineScalar(from, line.end);
    this.i++;
    // A line deeper than the collection holding it would continue a multi-line scalar (or be an error).
    const next = this.lines[this.i];
    if (next && next.indent > this.ownerIndent) out();
    return value;
  }

  /** The column of the collection holding the node being read. */
  private ownerIndent = -1;

  private sequence(indent: number): unknown[] {
    const s = this.s;
    const items: unknown[] = [];
    while (this.i < this.lines.length) {
      const line = this.lines[this.i]!;
      if (line.indent < indent) break;
      if (line.indent > indent) out();
      const dash = line.at;
      if (s.charCodeAt(dash) !== 45 || !isBlankOrEnd(s, dash + 1, line.end)) break;
      let from = dash + 1;
      while (from < line.end && s.charCodeAt(from) === 32) from++;
      if (from >= line.end || s.charCodeAt(from) === 35 /* # */) {
        // "-" alone: the item is on the next lines, deeper; else it is null.
        this.i++;
        const next = this.lines[this.i];
        items.push(next && next.indent > indent ? this.ownBlock(next) : null);
        continue;
      }
      // A compact mapping ("- key: value") starts at the item's content column.
      const saved = this.ownerIndent;
      this.ownerIndent = indent;
      items.push(this.blockNode(from - line.start, from, false));
      this.ownerIndent = saved;
    }
    return items;
  }

  /** A node on lines of its own below its key or dash: only a collection (a scalar there may go on over more lines). */
  private ownBlock(line: Line): unknown {
    const s = this.s;
    const c = s.charCodeAt(line.at);
    if (!(c === 45 && isBlankOrEnd(s, line.at + 1, line.end)) && findKeyColon(s, line.at, line.end) < 0) out();
    return this.blockNode(line.indent, line.at, false);
  }

  private mapping(indent: number): Record<string, unknown> {
    const s = this.s;
    const map: Record<string, unknown> = {};
    let first = true;
    while (this.i < this.lines.length) {
      const line = this.lines[this.i]!;
      // The first key of a compact mapping ("- key: value") is not at the start of its line.
      const from = first ? line.at + (indent - line.indent) : line.at;
      if (!first) {
        if (line.indent < indent) break;
        if (line.indent > indent) out();
        if (s.charCodeAt(from) === 45 && isBlankOrEnd(s, from + 1, line.end)) break;
      }
      first = false;
      const colon = findKeyColon(s, from, line.end);
      if (colon < 0) out();
      const key = this.key(from, colon);
      if (Object.hasOwn(map, key)) out();
      let v = colon + 1;
      while (v < line.end && s.charCodeAt(v) === 32) v++;
      if (v >= line.end || s.charCodeAt(v) === 35 /* # */) {
        this.i++;
        const next = this.lines[this.i];
        // The value on the next lines: deeper, or a sequence at the key's own column.
        if (next && (next.indent > indent || (next.indent === indent && s.charCodeAt(next.at) === 45 && isBlankOrEnd(s, next.at + 1, next.end)))) {
          map[key] = this.ownBlock(next);
        } else map[key] = null;
        continue;
      }
      const saved = this.ownerIndent;
      this.ownerIndent = indent;
      map[key] = this.blockNode(indent, v, true);
      this.ownerIndent = saved;
    }
    return map;
  }

  /** A block mapping's key, from `from` to its colon. */
  private key(from: number, colon: number): string {
    const s = this.s;
    const c = s.charCodeAt(from);
    let key: string;
    if (c === 34 || c === 39) {
      const [value, end] = quoted(s, from, colon + 1);
      if (s.slice(end, colon).trim() !== '') out();
      key = value;
    } else {
      const raw = s.slice(from, colon).trimEnd();
      // Flow indicators inside a plain key: legal in places, but not worth the rules.
      if (!plainStart(s, from, colon) || /[[\]{},]/.test(raw)) out();
      if (typeof resolvePlain(raw) !== 'string') out();
      key = raw;
    }
    // Long implicit keys are an error in YAML; __proto__ and the merge key have rules of their own.
    if (colon - from > 1000 || key === '__proto__' || key === '<<') out();
    return key;
  }

  /** A plain or quoted scalar that ends on this line (a comment may follow). */
  private inlineScalar(from: number, end: number): unknown {
    const s = this.s;
    const c = s.charCodeAt(from);
    if (c === 34 || c === 39) {
      const [value, after] = quoted(s, from, end);
      restOfLine(s, after, end);
      return value;
    }
    if (!plainStart(s, from, end)) out();
    let stop = end;
    for (let k = from; k < end; k++) {
      const ch = s.charCodeAt(k);
      if (ch === 35 /* # */ && s.charCodeAt(k - 1) === 32) {
        stop = k;
        break;
      }
      // ": " inside a plain scalar (or ":" at its end) would make it a key.
      if (ch === 58 /* : */ && (k + 1 === end || s.charCodeAt(k + 1) === 32)) out();
    }
    return resolvePlain(s.slice(from, stop).trimEnd());
  }

  /** A flow collection that ends on this line. */
  private flowLine(from: number, end: number): unknown {
    const flow = new Flow(this.s, from, end);
    const value = flow.node();
    restOfLine(this.s, flow.pos, end);
    return value;
  }
}

/** One-line flow collections: `[a, "b"]`, `{ k: v, k2: [1, 2] }`. */
class Flow {
  constructor(
    private readonly s: string,
    public pos: number,
    private readonly end: number,
  ) {}

  node(): unknown {
    this.space();
    const c = this.s.charCodeAt(this.pos);
    if (c === 91) return this.seq();
    if (c === 123) return this.map();
    if (c === 34 || c === 39) {
      const [value, after] = quoted(this.s, this.pos, this.end);
      this.pos = after;
      return value;
    }
    return this.plain();
  }

  private seq(): unknown[] {
    this.pos++;
    const items: unknown[] = [];
    this.space();
    if (this.s.charCodeAt(this.pos) === 93) {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.node());
      this.space();
      const c = this.s.charCodeAt(this.pos);
      // A "key: value" pair inside a sequence is a mapping of its own: not in the subset.
      if (c === 44 /* , */) {
        this.pos++;
        this.space();
        // A trailing comma.
        if (this.s.charCodeAt(this.pos) === 93) out();
        continue;
      }
      if (c === 93) {
        this.pos++;
        return items;
      }
      out();
    }
  }

  private map(): Record<string, unknown> {
    this.pos++;
    const map: Record<string, unknown> = {};
    this.space();
    if (this.s.charCodeAt(this.pos) === 125) {
      this.pos++;
      return map;
    }
    for (;;) {
      const c = this.s.charCodeAt(this.pos);
      let key: string;
      if (c === 34 || c === 39) {
        const [value, after] = quoted(this.s, this.pos, this.end);
        key = value;
        this.pos = after;
      } else {
        const k = this.plain();
        if (typeof k !== 'string') out();
        key = k;
      }
      if (key === '__proto__' || key === '<<' || Object.hasOwn(map, key)) out();
      this.space();
      if (this.s.charCodeAt(this.pos) !== 58 /* : */ || this.s.charCodeAt(this.pos + 1) !== 32) out();
      this.pos += 2;
      map[key] = this.node();
      this.space();
      const d = this.s.charCodeAt(this.pos);
      if (d === 44) {
        this.pos++;
        this.space();
        if (this.s.charCodeAt(this.pos) === 125) out();
        continue;
      }
      if (d === 125) {
        this.pos++;
        return map;
      }
      out();
    }
  }

  /** A plain scalar in a flow collection: up to `,`, `]`, `}` or `:`; without `:`, `#` or indicators. */
  private plain(): unknown {
    const s = this.s;
    const from = this.pos;
    if (!plainStart(s, from, this.end)) out();
    let k = from;
    for (; k < this.end; k++) {
      const c = s.charCodeAt(k);
      if (c === 44 || c === 93 || c === 125 || c === 91 || c === 123) break;
      // ':' may end a key, or belong to the scalar: only the first is in the subset.
      if (c === 58) {
        if (s.charCodeAt(k + 1) === 32) break;
        out();
      }
      if (c === 35 && s.charCodeAt(k - 1) === 32) out();
    }
    if (k >= this.end) out();
    const c = s.charCodeAt(k);
    if (c === 91 || c === 123) out();
    this.pos = k;
    const raw = s.slice(from, k).trimEnd();
    if (raw === '') out();
    return resolvePlain(raw);
  }

  private space(): void {
    while (this.pos < this.end && this.s.charCodeAt(this.pos) === 32) this.pos++;
  }
}

/** After a value: only spaces, then the line's end or a comment. */
function restOfLine(s: string, from: number, end: number): void {
  let k = from;
  while (k < end && s.charCodeAt(k) === 32) k++;
  if (k < end && (s.charCodeAt(k) !== 35 || k === from)) out();
}

function isBlankOrEnd(s: string, at: number, end: number): boolean {
  return at >= end || s.charCodeAt(at) === 32;
}

/** Whether a plain scalar may start at `from` (not with an indicator, nor with "-", "?" or ":" before a space). */
function plainStart(s: string, from: number, end: number): boolean {
  if (from >= end) return false;
  const c = s[from]!;
  if ('[]{},#&*!|>\'"%@`'.includes(c)) return false;
  if ((c === '-' || c === '?' || c === ':') && isBlankOrEnd(s, from + 1, end)) return false;
  return true;
}

/**
 * The offset of the colon of a "key: value" (or "key:") line starting at `from`, or -1 when the
 * line is not one (a comment or a flow collection comes first).
 */
function findKeyColon(s: string, from: number, end: number): number {
  const c = s.charCodeAt(from);
  let k = from;
  if (c === 34 || c === 39) {
    // A quoted key: its closing quote, then the colon.
    k++;
    while (k < end) {
      const ch = s.charCodeAt(k);
      if (ch === 92 /* \ */ && c === 34) k += 2;
      else if (ch === c) {
        if (c === 39 && s.charCodeAt(k + 1) === 39) k += 2;
        else break;
      } else k++;
    }
    if (k >= end) return -1;
    k++;
    while (k < end && s.charCodeAt(k) === 32) k++;
    return s.charCodeAt(k) === 58 && isBlankOrEnd(s, k + 1, end) ? k : -1;
  }
  if (c === 91 || c === 123 || c === 35) return -1;
  for (; k < end; k++) {
    const ch = s.charCodeAt(k);
    if (ch === 35 && k > from && s.charCodeAt(k - 1) === 32) return -1;
    if (ch === 58 && isBlankOrEnd(s, k + 1, end)) return k;
  }
  return -1;
}

/** A quoted scalar starting at `from` that closes before `end`: its value and the offset after its closing quote. */
function quoted(s: string, from: number, end: number): [string, number] {
  const q = s.charCodeAt(from);
  let k = from + 1;
  let value = '';
  let chunk = k;
  if (q === 39) {
    for (; k < end; k++) {
      if (s.charCodeAt(k) === 39) {
        if (s.charCodeAt(k + 1) === 39) {
          value += s.slice(chunk, k + 1);
          k++;
          chunk = k + 1;
          continue;
        }
        return [value + s.slice(chunk, k), k + 1];
      }
    }
    out();
  }
  for (; k < end; k++) {
    const c = s.charCodeAt(k);
    if (c === 34) return [value + s.slice(chunk, k), k + 1];
    if (c !== 92) continue;
    value += s.slice(chunk, k);
    const e = s[k + 1];
    const simple = e === undefined ? undefined : ESCAPES[e];
    if (simple !== undefined) {
      value += simple;
      k++;
    } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(k + 2, k + 6))) {
      value += String.fromCharCode(Number.parseInt(s.slice(k + 2, k + 6), 16));
      k += 5;
    } else out();
    chunk = k + 1;
  }
  return out();
}

const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r' };

/** A plain scalar's value by YAML 1.2's core schema, as the `yaml` library resolves it. */
function resolvePlain(raw: string): unknown {
  const c = raw.charCodeAt(0);
  // Letters other than n, N, t, T, f, F cannot start a null, a boolean or a number.
  if (raw === '' || raw === '~' || raw === 'null' || raw === 'Null' || raw === 'NULL') return null;
  if (raw === 'true' || raw === 'True' || raw === 'TRUE') return true;
  if (raw === 'false' || raw === 'False' || raw === 'FALSE') return false;
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) return raw;
  if (/^0o[0-7]+$/.test(raw)) return Number.parseInt(raw.slice(2), 8);
  if (/^[-+]?[0-9]+$/.test(raw)) return Number.parseInt(raw, 10);
  if (/^0x[0-9a-fA-F]+$/.test(raw)) return Number.parseInt(raw.slice(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(raw))
    return raw.slice(-3).toLowerCase() === 'nan' ? Number.NaN : raw[0] === '-' ? -Infinity : Infinity;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(raw)) return Number.parseFloat(raw);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(raw)) return Number.parseFloat(raw);
  return raw;
}
