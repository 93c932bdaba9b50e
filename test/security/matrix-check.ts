import { expect } from 'vitest';
import type { CompiledModel } from '../../src/model/index.js';
import { entityAccess, memberNames } from '../../src/security/entity-access.js';
import { canCallMicroflow, canOpenPage } from '../../src/security/document-access.js';
import type { UserContext } from '../../src/security/user-context.js';
import { EXPECTED_ENTITIES, EXPECTED_MICROFLOWS, EXPECTED_PAGES } from './sales-matrix.js';

/** One line per cell of the matrix, so a failure names the role, entity, member and operation. */
function matrixLines(model: CompiledModel, role: string, user: UserContext): { actual: string[]; expected: string[] } {
  const actual: string[] = [];
  const expected: string[] = [];
  for (const [entity, exp] of Object.entries(EXPECTED_ENTITIES[role]!)) {
    const a = entityAccess(model, user, entity);
    actual.push(`${role} ${entity} create=${a.canCreate}`, `${role} ${entity} delete=${a.canDelete}`);
    expected.push(`${role} ${entity} create=${exp.create}`, `${role} ${entity} delete=${exp.delete}`);
    for (const m of memberNames(model, model.entities.get(entity)!)) {
      actual.push(`${role} ${entity}.${m} read=${a.readable(m)} write=${a.writable(m)}`);
      expected.push(`${role} ${entity}.${m} read=${exp.read.includes(m)} write=${exp.write.includes(m)}`);
    }
    const rows = a.readConstraint.kind === 'any' ? a.readConstraint.xpaths.join(' or ') : a.readConstraint.kind;
    actual.push(`${role} ${entity} rows=${rows}`);
    expected.push(`${role} ${entity} rows=${exp.xpath ? exp.xpath.join(' or ') : 'all'}`);
  }
  for (const [page, ok] of Object.entries(EXPECTED_PAGES[role]!)) {
    actual.push(`${role} page ${page}=${canOpenPage(model, user, page)}`);
    expected.push(`${role} page ${page}=${ok}`);
  }
  for (const [mf, ok] of Object.entries(EXPECTED_MICROFLOWS[role]!)) {
    actual.push(`${role} microflow ${mf}=${canCallMicroflow(model, user, mf)}`);
    expected.push(`${role} microflow ${mf}=${ok}`);
  }
  return { actual, expected };
}

export function expectMatrix(model: CompiledModel, role: string, user: UserContext): void {
  const { actual, expected } = matrixLines(model, role, user);
  expect(actual).toEqual(expected);
}
