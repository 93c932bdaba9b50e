import type { PlanStep } from '../../../src/web-client/nanoflow-plan';
import type { Guid } from '../api/types';
import type { AppServices } from '../app/context';
import { asDecimal, evaluate, isList, isObject, NanoflowError, type EvalEnv, type NfValue } from './evaluate';

type Retrieve = Extract<PlanStep, { kind: 'retrieve' }>;

/**
 * A nanoflow's retrieve. From the database it is the page's retrieve operation: the
 * server runs the model's XPath with the user's entity access, the browser sends only
 * the values of the XPath's variables (an object as its guid). By association from the
 * owner, the reference the client holds is read (so the user's unsaved choice counts),
 * and the operation fetches only what the client does not hold; from the other side
 * it is the operation (`//Owner[Assoc = $Object]`): objects saved in the database.
 */
export async function retrieve(app: AppServices, s: Retrieve, env: EvalEnv): Promise<NfValue> {
  const result = (guids: readonly Guid[]): NfValue => (s.first ? (guids[0] !== undefined ? { guid: guids[0] } : null) : { guids: [...guids] });
  const fetch = async (params: Record<string, unknown>, offset = 0, amount = -1): Promise<Guid[]> => {
    if (!s.operationId) throw new NanoflowError(`You may not retrieve ${s.entity}.`);
    const { guids } = await app.ops.retrieve(s.operationId, { offset, amount, sort: [], wantCount: false, extraXpath: '', filters: [] }, params);
    return guids;
  };
  if (s.association) {
    const owner = env.vars.get(s.association.object);
    if (owner === null || owner === undefined) return result([]);
    if (!isObject(owner)) throw new NanoflowError(`$${s.association.object} is not an object`);
    if (s.association.fromOwner) {
      const held = app.store.get(owner.guid, s.association.name);
      if (held !== undefined || app.store.isNew(owner.guid)) {
        const guids = held === null || held === undefined || held === '' ? [] : Array.isArray(held) ? held.map(String) : [String(held)];
        const members = Object.keys(env.page.entities[s.entity]?.attributes ?? {});
        if (guids.some((g) => app.store.lacks(g, members)) && !app.store.isNew(owner.guid)) await fetch({ Object: { guid: owner.guid } });
        return result(guids);
      }
    }
    return result(await fetch({ Object: { guid: owner.guid } }));
  }
  const params: Record<string, unknown> = {};
  for (const name of s.variables) params[name] = wire(env.vars.get(name) ?? null, name);
  if (s.first) return result(await fetch(params, 0, 1));
  const offset = s.offset ? whole(evaluate(s.offset, env)) : 0;
  const amount = s.amount ? whole(evaluate(s.amount, env)) : 0;
  return result(await fetch(params, offset, amount === 0 ? -1 : amount));
}

/** A variable's value as the operation's parameter: an object by guid, a number or date as JSON. */
function wire(v: NfValue, name: string): unknown {
  if (v === null) return null;
  if (isObject(v)) return { guid: v.guid };
  if (isList(v)) throw new NanoflowError(`$${name} is a list: an XPath compares objects or values`);
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  // Whole numbers as JSON numbers while exact; others as their decimal text (no binary rounding).
  const n = asDecimal(v);
  return n.isInteger() && n.abs().lte(Number.MAX_SAFE_INTEGER) ? n.toNumber() : n.toString();
}

function whole(v: NfValue): number {
  const n = asDecimal(v);
  if (!n.isInteger() || n.isNeg()) throw new NanoflowError(`a range needs a whole number of at least 0, not ${n.toString()}`);
  return n.toNumber();
}
