import { createHash } from 'node:crypto';
import type { CompiledModel } from '../model/compiled/types.js';

/**
 * The model's version as the cluster compares it: a SHA-256 over every model
 * file (path and parsed content), so any change to the app, not only to its
 * schema, is a new version. (The schema synchronisation records its own,
 * schema-only fingerprint in mendixsystem$modelhistory.)
 */
export function modelFingerprint(model: CompiledModel): string {
  const h = createHash('sha256');
  for (const f of [...model.files].sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0))) {
    h.update(f.relPath)
      .update('\0')
      .update(JSON.stringify(f.data) ?? '')
      .update('\0');
  }
  return h.digest('hex');
}
