import type { FileService } from '../files/service.js';
import type { FilePort } from '../logic/engine/ports.js';

/** The files service as the microflow engine's port: contents recorded in the microflow's transaction. */
export function filePort(files: FileService): FilePort {
  return {
    read: (object, sql) => files.read(object.id, sql),
    async write(object, contents, name, sql) {
      const opts = name !== undefined ? { name } : {};
      const r =
        typeof contents === 'string' || contents instanceof Uint8Array
          ? await files.writeBytes(object.entity, object.id, contents, opts, sql)
          : await files.write(object.entity, object.id, contents, opts, sql);
      return { size: r.size };
    },
  };
}
