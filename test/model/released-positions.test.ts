import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/model/diagnostics.js';
import { SourceFile } from '../../src/model/load/source-file.js';

const TEXT = `entities:
  Order:
    attributes:
      Total: Decimal
      Note: >-
        a folded
        scalar
    access:
      - { roles: [Manager], read: "*", xpath: "[Total > 10 and Note != empty]" }
  Order:
    attributes: {}
`;

/**
 * The loader lets a file's YAML tree go once the model is checked (loadModel); a problem found
 * later (a check at start-up, kiln dev) parses the text again and must point where the first
 * parse would have, duplicate keys included.
 */
describe('positions after the YAML tree is released', () => {
  it('are the same as before', () => {
    const out: Diagnostic[] = [];
    const f = SourceFile.parse('modules/M/domain-model.yaml', 'domain-model', 'M', undefined, TEXT, out);
    expect(out.map((d) => d.code)).toEqual(['duplicate-key']);
    const ask = (file: SourceFile) => ({
      key: file.locateRange(['entities', 'Order', 'attributes', 'Total'], true),
      folded: file.locate(['entities', 'Order', 'attributes', 'Note']),
      inside: file.locateInside(['entities', 'Order', 'access', 0, 'xpath'], 15),
      missing: file.locate(['entities', 'Order', 'nothing', 'here']),
    });
    const before = ask(f!);
    f!.releaseTree();
    const after = ask(f!);
    expect(after).toEqual(before);
    expect(before.inside).toEqual({ line: 9, column: 63 });
    // The duplicate was dropped in the second parse too: Order is the first definition.
    expect(before.key.start.line).toBe(4);
  });
});
