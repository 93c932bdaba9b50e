import { describe, expect, it } from 'vitest';
import type { CAccessRule, CEntity } from '../../src/model/compiled/types.js';
import { applicableRules, rowConstraint } from '../../src/security/applicable-rules.js';

const rule = (roles: string[], xpath?: string, more: Partial<CAccessRule> = {}): CAccessRule => ({
  roles,
  create: false,
  delete: false,
  members: new Map(),
  ...(xpath !== undefined ? { xpath } : {}),
  ...more,
});
const entity = (access: CAccessRule[], generalization?: string): CEntity => ({ name: 'M.E', access, generalization }) as unknown as CEntity;
const roles = (...r: string[]) => new Set(r);

describe('applicableRules', () => {
  const mine = rule(['M.User'], "[Owner = '[%CurrentUser%]']");
  const managers = rule(['M.Manager']);
  const shared = rule(['M.User', 'M.Manager'], '[Public = true()]', { delete: true });
  const e = entity([mine, managers, shared]);

  it("keeps the rules that name one of the user's module roles, in model order", () => {
    expect(applicableRules(e, roles('M.User'))).toEqual([mine, shared]);
    expect(applicableRules(e, roles('M.Manager'))).toEqual([managers, shared]);
    expect(applicableRules(e, roles('M.Manager', 'M.User'))).toEqual([mine, managers, shared]);
  });

  it("lists a rule once when it names several of the user's roles", () => {
    expect(applicableRules(entity([shared]), roles('M.User', 'M.Manager'))).toEqual([shared]);
  });

  it('gives nothing for roles no rule names, or no roles', () => {
    expect(applicableRules(e, roles('Other.User'))).toEqual([]);
    expect(applicableRules(e, roles())).toEqual([]);
    expect(applicableRules(entity([]), roles('M.User'))).toEqual([]);
  });

  it('matches qualified role names exactly', () => {
    expect(applicableRules(e, roles('User', 'm.user', 'M.User2'))).toEqual([]);
  });

  it("looks at the entity's own rules only (not its generalization's)", () => {
    const special = entity([managers], 'M.E');
    expect(applicableRules(special, roles('M.User'))).toEqual([]);
  });
});

describe('rowConstraint', () => {
  it('is none without rules, all when a rule has no XPath, else the distinct XPaths in order', () => {
    expect(rowConstraint([])).toEqual({ kind: 'none' });
    expect(rowConstraint([rule(['a'], '[X = 1]'), rule(['b'])])).toEqual({ kind: 'all' });
    expect(rowConstraint([rule(['a'], '[X = 2]'), rule(['b'], '[X = 1]'), rule(['c'], '[X = 2]')])).toEqual({ kind: 'any', xpaths: ['[X = 2]', '[X = 1]'] });
  });
});
