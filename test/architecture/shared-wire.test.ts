import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The modules the browser client shares with the server (the /xas/ wire types,
 * the page definitions, the client's own texts) import nothing server-only, and the
 * client imports them as types only (the texts, plain data, as values), so no server
 * code (nor TypeBox) goes into the bundle.
 */
const ROOT = resolve(__dirname, '../..');
const SHARED: Record<string, readonly string[]> = {
  'src/http/xas-wire.ts': ['@sinclair/typebox'],
  'src/web-client/page-definition.ts': ['./nanoflow-plan.js'],
  // A nanoflow's plan carries expression syntax trees: the type module of the expression language, which imports nothing.
  'src/web-client/nanoflow-plan.ts': ['../logic/expressions/ast.js'],
  'src/logic/expressions/ast.ts': [],
  // The client's own texts: plain data (and the one function picking a model text's language), bundled with the client.
  'src/model/client-texts.ts': ['./text.js'],
  'src/model/text.ts': [],
  // The safe-scheme rule of open-link buttons: kiln check applies it to fixed addresses, the client to attributes' values.
  'src/model/link-address.ts': [],
};
/** Shared modules the client imports values from: data, or pure functions, with no server code behind them. */
const VALUE_SHARED = ['../../../src/model/client-texts', '../../../src/model/link-address'];
const FROM = /(?:^|\n)\s*(import|export)\s([^;]*?)from\s+'([^']+)'/g;

function* files(dir: string): Generator<string> {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.tsx?$/.test(p)) yield p;
  }
}

describe('modules shared with the browser client', () => {
  it('import only what they may', () => {
    for (const [file, allowed] of Object.entries(SHARED)) {
      const specs = [...readFileSync(join(ROOT, file), 'utf8').matchAll(FROM)].map((m) => m[3]);
      expect(
        specs.filter((s) => !allowed.includes(s!)),
        file,
      ).toEqual([]);
    }
  });

  it('are imported by the client as types only', () => {
    const valueImports: string[] = [];
    let shared = 0;
    for (const f of files(join(ROOT, 'client/src'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(FROM)) {
        if (!m[3]!.includes('/src/')) continue;
        shared++;
        if (!/^type\s/.test(m[2]!.trim()) && !VALUE_SHARED.includes(m[3]!)) valueImports.push(`${f}: ${m[3]}`);
      }
    }
    expect(shared).toBeGreaterThan(1);
    expect(valueImports).toEqual([]);
  });
});
