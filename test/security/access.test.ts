import { describe, expect, it, beforeAll } from 'vitest';
import { join } from 'node:path';
import { loadModel, type CompiledModel } from '../../src/model/index.js';
import { userContextFor, openContext } from '../../src/security/contexts.js';
import { entityAccess } from '../../src/security/entity-access.js';
import { canCallMicroflow, canOpenPage } from '../../src/security/document-access.js';
import { ROOT } from '../support/cli.js';
import { expectMatrix } from './matrix-check.js';
import { EXPECTED_ENTITIES } from './sales-matrix.js';

let model: CompiledModel;
beforeAll(async () => {
  const r = await loadModel(join(ROOT, 'examples', 'sales'));
  if (!r.model) throw new Error(JSON.stringify(r.diagnostics));
  model = r.model;
});

const ctx = (m: CompiledModel, role: string) =>
  userContextFor(m, {
    userId: 1n,
    userName: 'u',
    userEntity: 'System.User',
    userRoles: [role],
    anonymous: false,
    sessionId: null,
    sessionObjectId: null,
  });

describe('entity, page and microflow access on examples/sales (production)', () => {
  for (const role of Object.keys(EXPECTED_ENTITIES)) {
    it(`matches the model's rules for user role ${role}`, () => expectMatrix(model, role, ctx(model, role)));
  }

  it('combines rules of several user roles as a union', () => {
    const both = userContextFor(model, {
      userId: 1n,
      userName: 'u',
      userEntity: 'System.User',
      userRoles: ['Customer', 'SalesManager'],
      anonymous: false,
      sessionId: null,
      sessionObjectId: null,
    });
    const a = entityAccess(model, both, 'Sales.Order');
    expect(a.canDelete).toBe(true);
    expect(a.writable('InternalNote')).toBe(true);
    // One rule without XPath (Sales.Manager) opens every object.
    expect(a.readConstraint).toEqual({ kind: 'all' });
    expect(a.rules).toHaveLength(2);
  });

  it('gives an existing object only the rights of the rules its XPath matches', () => {
    const a = entityAccess(model, ctx(model, 'Customer'), 'Sales.Order');
    expect(a.rules.map((r) => r.xpath)).toEqual(["[Sales.Order_Customer = '[%CurrentUser%]']"]);
    const notMine = a.rightsFor([false]);
    expect([...notMine.values()].every((r) => r === 'None')).toBe(true);
    expect(a.rightsFor([true]).get('InternalNote')).toBe('None');
    expect(a.rightsFor([true]).get('OrderDate')).toBe('ReadWrite');
    expect(a.deleteConstraint).toEqual({ kind: 'none' });
  });

  it('accepts an association by its short name', () => {
    const a = entityAccess(model, ctx(model, 'Customer'), 'Sales.Order');
    expect(a.writable('Order_Customer')).toBe(true);
    expect(a.readable('NoSuchMember')).toBe(false);
  });

  it('gives nothing to a user without roles, and refuses unknown entities', () => {
    const none = ctx(model, 'NoSuchRole');
    const a = entityAccess(model, none, 'Sales.Order');
    expect([a.canCreate, a.canDelete, a.readable('Number'), a.readConstraint.kind]).toEqual([false, false, false, 'none']);
    expect(canOpenPage(model, none, 'Sales.Order_Overview')).toBe(false);
    expect(() => entityAccess(model, none, 'Sales.Nope')).toThrow(/unknown entity 'Sales.Nope'/);
  });
});

describe('security levels', () => {
  it('prototype: pages and microflows are checked, data is open', () => {
    const proto: CompiledModel = { ...model, security: { ...model.security, level: 'prototype' } };
    const c = ctx(proto, 'Customer');
    expect(c.applyEntityAccess).toBe(false);
    const a = entityAccess(proto, c, 'Sales.Order');
    expect([a.restricted, a.canDelete, a.writable('InternalNote'), a.readConstraint.kind]).toEqual([false, true, true, 'all']);
    // Never writable, whatever the level: AutoNumber and system members.
    expect([a.writable('Number'), a.writable('createdDate'), a.readable('Number')]).toEqual([false, false, true]);
    expect(canOpenPage(proto, c, 'Sales.Customer_Overview')).toBe(false);
    expect(canCallMicroflow(proto, c, 'Sales.GetMyOrders')).toBe(true);
  });

  it('off: everything allowed without login', () => {
    const off: CompiledModel = { ...model, security: { ...model.security, level: 'off' } };
    const c = openContext(off);
    expect(canOpenPage(off, c, 'Sales.Customer_Overview')).toBe(true);
    expect(canCallMicroflow(off, c, 'Sales.Order_BeforeCommit')).toBe(true);
    expect(entityAccess(off, c, 'Sales.Order').canDelete).toBe(true);
    expect(canOpenPage(off, c, 'Sales.NoPage')).toBe(false);
  });
});
