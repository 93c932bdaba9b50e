import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../model/diagnostics.js';
import { FILE_KINDS } from '../model/schema/index.js';

/** Writes one JSON Schema per model file kind, generated from the model types. */
export async function runSchema(args: string[]): Promise<number> {
  const dir = args[0];
  if (!dir) throw new UserError('missing output folder: kiln schema <dir>');
  await mkdir(dir, { recursive: true });
  for (const [kind, schema] of Object.entries(FILE_KINDS)) {
    const json = { $schema: 'http://json-schema.org/draft-07/schema#', ...JSON.parse(JSON.stringify(schema)) };
    await writeFile(join(dir, `${kind}.schema.json`), `${JSON.stringify(json, null, 2)}\n`);
  }
  return 0;
}
