import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS, envName } from '../../src/core/settings-registry.js';
import { ROOT } from '../support/cli.js';

describe('docs/settings.md', () => {
  it('documents every setting with its environment variable', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'settings.md'), 'utf8');
    const missing = Object.keys(SETTINGS).filter((k) => !doc.includes(`| \`${k}\` | \`${envName(k)}\` |`));
    expect(missing).toEqual([]);
  });
});
