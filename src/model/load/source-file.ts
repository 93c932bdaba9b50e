import { LineCounter, parseDocument, isMap, isSeq, isScalar, isPair, type Node } from 'yaml';
import type { Diagnostic, DiagnosticRange } from '../diagnostics.js';
import { pathToString } from '../diagnostics.js';
import type { FileKind } from '../schema/index.js';
import { parsePlainYaml } from './plain-yaml.js';
import { scalarPositions, type ScalarStyle } from './scalar-positions.js';

/**
 * One parsed model file: its data plus a way back from a path inside the data to
 * the line and column where it was written. YAML and JSON go through the same
 * parser (JSON is YAML), so both get positions.
 */
export class SourceFile {
  private constructor(
    readonly relPath: string,
    readonly kind: FileKind,
    /** Module name for module files; undefined for app.yaml. */
    readonly module: string | undefined,
    /** Unit name (microflow / page name) for unit files. */
    readonly unitName: string | undefined,
    readonly data: unknown,
    private tree: { readonly root: Node | null; readonly lines: LineCounter } | undefined,
    /** The file's text, for positions inside multi-line and escaped scalars. */
    private readonly text: string,
  ) {}

  /**
   * Drops the YAML tree kept for positions (a model's trees take about as much memory as the
   * compiled model itself); a later diagnostic parses the text again. The loader calls it once
   * the model is checked: a running app locates nothing unless it reports a problem.
   */
  releaseTree(): void {
    this.tree = undefined;
  }

  private get root(): Node | null {
    return this.positions().root;
  }

  private get lines(): LineCounter {
    return this.positions().lines;
  }

  private positions(): { readonly root: Node | null; readonly lines: LineCounter } {
    if (!this.tree) {
      // The text parsed before without errors other than duplicate keys, whose later copies were dropped.
      const lines = new LineCounter();
      const doc = parseDocument(this.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, strict: true });
      dropDuplicateKeys(doc.contents as Node | null, () => undefined);
      this.tree = { root: (doc.contents as Node | null) ?? null, lines };
    }
    return this.tree;
  }

  /** A file whose data is known (parse-cache.ts): its positions are parsed when first asked for. */
  static fromData(relPath: string, kind: FileKind, module: string | undefined, unitName: string | undefined, text: string, data: unknown): SourceFile {
    return new SourceFile(relPath, kind, module, unitName, data, undefined, text);
  }

  static parse(
    relPath: string,
    kind: FileKind,
    module: string | undefined,
    unitName: string | undefined,
    text: string,
    diagnostics: Diagnostic[],
  ): SourceFile | undefined {
    // Most model files are in the subset plain-yaml.ts reads (the same data, several times faster);
    // their positions are parsed when a diagnostic first needs them.
    const plain = parsePlainYaml(text);
    if (plain !== undefined) return new SourceFile(relPath, kind, module, unitName, plain ?? {}, undefined, text);
    let lines = new LineCounter();
    let doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
    if (doc.errors.length > 0 && doc.errors.every((e) => e.code === 'DUPLICATE_KEY')) {
      // Duplicate keys only: report each, keep the first definition, and check the rest of the file.
      lines = new LineCounter();
      doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, strict: true });
      dropDuplicateKeys(doc.contents as Node | null, (first, dup, key) => {
        const at = lines.linePos(dup.range?.[0] ?? 0);
        const was = lines.linePos(first.range?.[0] ?? 0);
        const end = lines.linePos(dup.range?.[1] ?? dup.range?.[0] ?? 0);
        diagnostics.push({
          severity: 'error',
          file: relPath,
          line: at.line,
          column: at.col,
          path: '',
          message: `duplicate key '${key}': a key appears once in a mapping (first defined on line ${was.line}; this one is ignored)`,
          code: 'duplicate-key',
          range: { start: { line: at.line, column: at.col }, end: { line: end.line, column: end.col } },
          related: [{ file: relPath, line: was.line, column: was.col, message: `'${key}' first defined here` }],
        });
      });
    }
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
        diagnostics.push({
          severity: 'error',
          file: relPath,
          line: pos.line,
          column: pos.col,
          path: '',
          message: `malformed ${relPath.endsWith('.json') ? 'JSON' : 'YAML'}: ${firstLine(e.message)}`,
          code: 'yaml-syntax',
        });
      }
      return undefined;
    }
    const data: unknown = doc.toJS({ maxAliasCount: 100 });
    return new SourceFile(relPath, kind, module, unitName, data ?? {}, { root: (doc.contents as Node | null) ?? null, lines }, text);
  }

  /** Line and column of the node at `path` (or of its nearest existing ancestor). */
  locate(path: readonly (string | number)[]): { line: number; column: number } {
    const { start } = this.locateRange(path);
    return start;
  }

  /** The span of the node at `path` (a member's key for a member), or of its nearest existing ancestor. */
  locateRange(path: readonly (string | number)[], atKey = false): DiagnosticRange {
    let node: Node | null = this.root;
    let best = node;
    for (const [i, seg] of path.entries()) {
      if (!node) break;
      let next: Node | null = null;
      if (isMap(node)) {
        for (const item of node.items) {
          if (isPair(item) && isScalar(item.key) && String(item.key.value) === String(seg)) {
            // Point at the key for a member (where a person reads its name).
            best = item.key as Node;
            next = (item.value as Node | null) ?? null;
            break;
          }
        }
        if (atKey && i === path.length - 1) break;
      } else if (isSeq(node) && typeof seg === 'number') {
        next = (node.items[seg] as Node | undefined) ?? null;
      } else if (isSeq(node)) {
        const idx = Number(seg);
        next = Number.isInteger(idx) ? ((node.items[idx] as Node | undefined) ?? null) : null;
      }
      if (!next) {
        node = null;
        break;
      }
      node = next;
      if (!isScalar(node) || best === null) best = node;
      if (isScalar(node)) best = node;
    }
    const offset = best?.range?.[0] ?? 0;
    const p = this.lines.linePos(offset);
    // A block collection spans many lines: its range ends where its first line does.
    let endOffset = best?.range?.[1] ?? offset;
    const eol = this.text.indexOf('\n', offset);
    if (eol >= 0 && endOffset > eol) endOffset = eol;
    const e = this.lines.linePos(Math.max(offset, endOffset));
    return { start: { line: p.line, column: p.col }, end: { line: e.line, column: e.col } };
  }

  /** The file's text (for code frames). */
  get source(): string {
    return this.text;
  }

  /** Line, column of a character offset inside the scalar at `path` (for expressions and XPath). */
  locateInside(path: readonly (string | number)[], offsetInValue: number): { line: number; column: number } {
    let node: Node | null = this.root;
    for (const seg of path) {
      if (!node) break;
      if (isMap(node)) {
        const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg));
        node = (pair?.value as Node | null | undefined) ?? null;
      } else if (isSeq(node)) {
        node = (node.items[Number(seg)] as Node | undefined) ?? null;
      } else node = null;
    }
    if (!node || !isScalar(node) || !node.range) return this.locate(path);
    const value = typeof node.value === 'string' ? node.value : String(node.value);
    const positions = node.type ? scalarPositions(this.text, node.range[0], node.range[1], node.type as ScalarStyle, value) : undefined;
    // Without a mapping: quoted scalars start one character before their value; plain ones at it.
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
    const offset = positions ? positions[Math.min(Math.max(0, offsetInValue), value.length)]! : node.range[0] + (quoted ? 1 : 0) + offsetInValue;
    const p = this.lines.linePos(offset);
    return { line: p.line, column: p.col };
  }

  diagnostic(path: readonly (string | number)[], message: string, severity: 'error' | 'warning' = 'error', extra: DiagnosticExtra = {}): Diagnostic {
    const { atKey, ...rest } = extra;
    const range = this.locateRange(path, atKey);
    return { severity, file: this.relPath, line: range.start.line, path: pathToString(path), message, range, ...rest };
  }
}

/** Optional parts of a diagnostic a check may add. */
type DiagnosticExtra = Pick<Diagnostic, 'code' | 'related' | 'suggestion'> & {
  /** Point at the member's key rather than its value (an unknown property). */
  atKey?: boolean;
};

/** Removes later pairs whose key repeats an earlier one in the same mapping, reporting each (first key, duplicate key, name). */
function dropDuplicateKeys(node: Node | null, report: (first: Node, dup: Node, key: string) => void): void {
  if (!node) return;
  if (isMap(node)) {
    const seen = new Map<string, Node>();
    node.items = node.items.filter((item) => {
      if (!isPair(item) || !isScalar(item.key)) return true;
      const k = String(item.key.value);
      const first = seen.get(k);
      if (first) {
        report(first, item.key as Node, k);
        return false;
      }
      seen.set(k, item.key as Node);
      return true;
    });
    for (const item of node.items) if (isPair(item)) dropDuplicateKeys((item.value as Node | null) ?? null, report);
  } else if (isSeq(node)) {
    for (const item of node.items) dropDuplicateKeys(item as Node, report);
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
