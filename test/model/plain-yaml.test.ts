import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parsePlainYaml } from '../../src/model/load/plain-yaml.js';

/** What the loader got before the fast reader: the `yaml` library's data, or undefined for a file it reports problems in. */
function library(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, strict: true });
  if (doc.errors.length > 0) return undefined;
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

const ROOT = join(import.meta.dirname, '../..');

/**
 * src/model/load/plain-yaml.ts reads the YAML model files are written in without the `yaml`
 * library: a file it reads must give exactly the library's data; anything else goes to the library.
 */
describe('the fast YAML reader', () => {
  it('reads the example apps and the generated 200-entity model as the yaml library does', () => {
    const generated = mkdtempSync(join(tmpdir(), 'kiln-gen-'));
    execFileSync(process.execPath, [join(ROOT, 'bench/model/generate.mjs'), generated, '--entities', '5', '--microflows', '10', '--pages', '4']);
    const files = [...yamlFiles(join(ROOT, 'examples')), ...yamlFiles(generated)];
    let read = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const fast = parsePlainYaml(text);
      if (fast === undefined) continue;
      read++;
      expect(fast, f).toStrictEqual(library(text));
    }
    // Nearly every model file is in the subset (else the fast path does nothing).
    expect(read).toBeGreaterThan(files.length * 0.9);
  });

  it('gives the core schema’s values and keeps strings as written', () => {
    const text = `a: 1
b: -2.50
c: 0x1F
d: 0o17
e: 1e3
f: .inf
g: true
h: False
i: ~
j:
k: "q: \\"x\\" \\u00e9"
l: 'it''s'
m: $Obj/Count > 5 and $Obj/Name != empty # a comment
n: [R1, "R 2", 3, { x: 1, y: [] }]
o: {}
"p q": http://example.com/a#b
r:
- one
- two: 2
  three: 3
-
  - nested
s: 1.0.0
`;
    const fast = parsePlainYaml(text);
    expect(fast).toStrictEqual(library(text));
    expect(fast).toMatchObject({ a: 1, c: 31, g: true, i: null, j: null, k: 'q: "x" é', l: "it's", s: '1.0.0' });
  });

  it('leaves to the library what it does not read, and every file with a problem', () => {
    const outside = [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: |\n  text\n',
      'a: >\n  folded\n',
      'a: one\n  two\n',
      'a: [1,\n  2]\n',
      '---\na: 1\n',
      'a: 1\na: 2\n',
      'a:\tb\n',
      'a: 1\r\nb: 2\r\n',
      '? a\n: b\n',
      '1: one\n',
      '<<: { a: 1 }\n',
      '__proto__: x\n',
      'a: b: c\n',
      'a: "unclosed\n',
      'a: [1, 2,]\n',
      '- a\nb: 1\n',
      'a:\n  b: 1\n c: 2\n',
      '',
    ];
    for (const text of outside) expect(parsePlainYaml(text), JSON.stringify(text)).toBeUndefined();
  });

  it('never reads a changed file differently from the library (random edits of model files)', () => {
    const texts = yamlFiles(join(ROOT, 'examples')).map((f) => readFileSync(f, 'utf8'));
    const pieces = [
      ':',
      ' ',
      '-',
      '#',
      "'",
      '"',
      '[',
      ']',
      '{',
      '}',
      ',',
      '\n',
      '&',
      '*',
      '!',
      '|',
      '>',
      '?',
      '0',
      '.',
      'e',
      '~',
      '\\',
      ': ',
      '- ',
      ' #',
      '\n  ',
      '\n- ',
      'null',
      '0x1F',
      '1e3',
      '.5',
      '-1',
      "''",
      '%',
      '@',
      '`',
      '---',
    ];
    let seed = 23;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    let read = 0;
    for (let n = 0; n < 3000; n++) {
      const lines = pick(texts).split('\n');
      const at = Math.floor(random() * lines.length);
      let text = lines.slice(Math.max(0, at - 6), at + 6).join('\n');
      for (let k = 0; k < 1 + Math.floor(random() * 3); k++) {
        const p = Math.floor(random() * (text.length + 1));
        text = random() < 0.6 ? text.slice(0, p) + pick(pieces) + text.slice(p) : text.slice(0, p) + text.slice(p + 1 + Math.floor(random() * 3));
      }
      const fast = parsePlainYaml(text);
      if (fast === undefined) continue;
      read++;
      expect(fast, JSON.stringify(text)).toStrictEqual(library(text));
    }
    expect(read).toBeGreaterThan(300);
  });
});
