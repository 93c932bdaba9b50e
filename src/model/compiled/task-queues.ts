import type { Diagnostic } from '../diagnostics.js';
import type { SourceFile } from '../load/source-file.js';
import type { TaskQueueFile } from '../schema/index.js';
import type { SourceRef } from './types.js';

/** A task queue of the model (`modules/<Module>/task-queues/<Name>.yaml`). */
export interface CTaskQueue {
  /** `Module.Name`, as a call activity's `queue` names it. */
  readonly name: string;
  readonly module: string;
  /** Tasks run at a time: per instance (scope instance) or in the whole cluster (scope cluster). */
  readonly threads: number;
  readonly scope: 'instance' | 'cluster';
  readonly source: SourceRef;
}

/** The task queues by qualified name; a name that is no identifier is reported on its file. */
export function compileTaskQueues(files: readonly { file: SourceFile; def: TaskQueueFile }[], out: Diagnostic[]): Map<string, CTaskQueue> {
  const queues = new Map<string, CTaskQueue>();
  for (const { file, def } of files) {
    const name = `${file.module}.${file.unitName}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(file.unitName ?? '')) {
      out.push(file.diagnostic([], `task queue name '${file.unitName}' is not a valid identifier`));
      continue;
    }
    queues.set(name, { name, module: file.module!, threads: def.threads, scope: def.scope ?? 'instance', source: { file, path: [] } });
  }
  return queues;
}
