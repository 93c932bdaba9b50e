import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError, type Diagnostic } from '../../model/diagnostics.js';
import type { CompiledModel } from '../../model/compiled/types.js';
import type { ModelCheck } from '../../model/compiled/compile.js';
import { collectOperations } from './collect-operations.js';
import type { OperationRegistry, OperationsFileEntry, RuntimeOperation } from './types.js';

/**
 * Builds the registry of runtime operations from the compiled model (once, at
 * start-up). Throws a UserError listing the problems when a page uses something
 * the model does not have; `kiln check` reports the same through `registryCheck`.
 */
export function buildRegistry(model: CompiledModel): OperationRegistry {
  const { ops, diags } = checked.get(model) ?? collect(model);
  checked.delete(model);
  const errors = diags.filter((d) => d.severity === 'error');
  if (errors.length) throw new UserError(`the pages' runtime operations have ${errors.length} error(s)`, errors);
  return new Registry(ops);
}

/**
 * The operations the check collected, for the start-up that follows it with the same model
 * (collected once, not twice: the walk visits every widget of every page).
 */
const checked = new WeakMap<CompiledModel, { readonly ops: RuntimeOperation[]; readonly diags: readonly Diagnostic[] }>();

function collect(model: CompiledModel): { ops: RuntimeOperation[]; diags: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  return { ops: collectOperations(model, diags), diags };
}

/** The registry's problems as model diagnostics, for `kiln check` and start-up. */
export const registryCheck: ModelCheck = (model, out) => {
  const result = collect(model);
  checked.set(model, result);
  out.push(...result.diags);
};

/** Writes `<deploymentDir>/model/operations.json` (for debugging, as Mendix does). */
export async function writeOperationsFile(registry: OperationRegistry, deploymentDir: string): Promise<string> {
  const dir = join(deploymentDir, 'model');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'operations.json');
  await writeFile(file, `${JSON.stringify(registry.toFile(), null, 2)}\n`);
  return file;
}

class Registry implements OperationRegistry {
  private readonly byId = new Map<string, RuntimeOperation>();
  private readonly byPath = new Map<string, RuntimeOperation>();
  private readonly byPage = new Map<string, RuntimeOperation[]>();
  private readonly byMicroflow = new Map<string, RuntimeOperation>();

  constructor(readonly operations: readonly RuntimeOperation[]) {
    for (const op of operations) {
      if (this.byId.has(op.id)) throw new Error(`two runtime operations share the id ${op.id} (${op.site.page} ${op.site.path})`);
      this.byId.set(op.id, op);
      this.byPath.set(`${op.site.page}#${op.site.path}`, op);
      const list = this.byPage.get(op.site.page) ?? [];
      list.push(op);
      this.byPage.set(op.site.page, list);
      if (op.type === 'callMicroflow' && !this.byMicroflow.has(op.microflow)) this.byMicroflow.set(op.microflow, op);
    }
  }

  get(id: string): RuntimeOperation | undefined {
    return this.byId.get(id);
  }

  forWidget(pageName: string, widgetName: string): RuntimeOperation | undefined {
    return this.byPage.get(pageName)?.find((op) => op.site.widgetName === widgetName && !/\/buttons\/\d+$/.test(op.site.path));
  }

  forButton(pageName: string, widgetName: string, buttonIndex: number): RuntimeOperation | undefined {
    return this.byPage.get(pageName)?.find((op) => op.site.widgetName === widgetName && op.site.path.endsWith(`/buttons/${buttonIndex}`));
  }

  forPath(pageName: string, path: string): RuntimeOperation | undefined {
    return this.byPath.get(`${pageName}#${path}`);
  }

  forPage(pageName: string): readonly RuntimeOperation[] {
    return this.byPage.get(pageName) ?? [];
  }

  forMicroflow(name: string): RuntimeOperation | undefined {
    return this.byMicroflow.get(name);
  }

  toFile(): OperationsFileEntry[] {
    return this.operations.map((op) => ({
      operationId: op.id,
      operationType: op.type,
      parameters: op.parameters,
      constants: op.constants,
      allowedUserRoleSets: op.allowedUserRoleSets,
    }));
  }
}
