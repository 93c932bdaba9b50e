import type { Diagnostic } from '../../diagnostics.js';
import type { SourceFile } from '../../load/source-file.js';
import type { DomainModelFile, EntityDef } from '../../schema/index.js';
import type { CConstant, CEnumeration } from '../types.js';

/** A module's domain model with the file it came from (undefined file = built in). */
export interface ModuleInput {
  readonly module: string;
  readonly def: DomainModelFile;
  readonly file: SourceFile | undefined;
}

export type Path = (string | number)[];

/** An entity as written, with its module's input and its short name. */
export interface EntityInput {
  readonly inp: ModuleInput;
  readonly def: EntityDef;
  readonly short: string;
}

/** What the phases of compileDomain share: the inputs, the problems found, the names claimed. */
export interface DomainContext {
  readonly inputs: readonly ModuleInput[];
  report(inp: ModuleInput, path: Path, message: string): void;
  /** Claims a qualified element name; reports a clash with an element named before. */
  claim(inp: ModuleInput, path: Path, q: string, kind: string): void;
  readonly enumerations: Map<string, CEnumeration>;
  readonly constants: Map<string, CConstant>;
  readonly moduleRoles: Set<string>;
  /** Qualified entity name -> its definition, in the order written. */
  readonly entityDefs: Map<string, EntityInput>;
  /** Members and elements whose definitions are broken (`Module.Entity.Member`, `Module.Name`): reported once, not again where used. */
  readonly broken: Set<string>;
}

export function domainContext(inputs: readonly ModuleInput[], out: Diagnostic[]): DomainContext {
  const elementNames = new Map<string, string>(); // qualified element -> kind, for clash detection
  const report = (inp: ModuleInput, path: Path, message: string) => {
    if (inp.file) out.push(inp.file.diagnostic(path, message));
    else out.push({ severity: 'error', file: `<built-in ${inp.module}>`, line: 0, path: path.join('.'), message });
  };
  return {
    inputs,
    report,
    claim(inp, path, q, kind) {
      const prev = elementNames.get(q);
      if (prev) report(inp, path, `duplicate name '${q}': already used by ${prev}`);
      else elementNames.set(q, `the ${kind} ${q}`);
    },
    enumerations: new Map(),
    constants: new Map(),
    moduleRoles: new Set(),
    entityDefs: new Map(),
    broken: new Set(),
  };
}
