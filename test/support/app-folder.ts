import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Writes an app folder from a map of relative path -> file text, for broken-model tests. */
export function writeApp(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-app-'));
  for (const [rel, text] of Object.entries(files)) {
    const full = join(dir, rel);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return dir;
}
