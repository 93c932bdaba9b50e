import { Decimal } from 'decimal.js';
import type { CAttribute, CompiledModel, MemberRight } from '../../model/compiled/types.js';
import { getValue, slotStoreOf, type MxObject } from '../../objects/mx-object.js';
import { shapeOf, type Shape } from '../../objects/slot-map.js';
import { ownedAssociations } from '../../model/compiled/owned-associations.js';
import type { AssociationValue, AttributeValue } from '../../objects/values.js';

/**
 * Writes objects straight to JSON text in the shape `serializeObject` builds
 * (`{"objectType":..,"guid":..,"attributes":{"Name":{"value":..},..}}`, same
 * members, same order, same value encoding), without building the object
 * first and stringifying it after. A retrieve sends a page of these on every
 * request: this is the hot path of the client API, so what can be decided
 * once (which members, their keys, their encoders) is decided once per entity
 * and set of member rights, and each object costs only string concatenation.
 * Not for objects that must be signed (those go through serializeObject).
 */
export class ObjectWriter {
  /** Object entity -> member rights (identity-stable, cached by security) -> what to write. */
  private readonly plans = new Map<string, WeakMap<ReadonlyMap<string, MemberRight>, WritePlan>>();

  constructor(
    private readonly model: CompiledModel,
    /** Only these attributes (a retrieve's used attributes); default every readable attribute. */
    private readonly attributes: readonly string[] | undefined,
    /** Only these associations; default every readable owned association. */
    private readonly associations: readonly string[] | undefined,
  ) {}

  /** The object as JSON text, with the members `rights` lets the user read. */
  write(obj: MxObject, rights: ReadonlyMap<string, MemberRight>): string {
    const plan = this.plan(obj.entity, rights);
    // An object of createMxObject is read by slot (no Map view made, no lookup by name).
    const store = slotStoreOf(obj);
    const bySlot = store !== undefined && store.shape === plan.shape;
    let s = `${plan.head}${obj.id.toString()}","attributes":{`;
    const members = plan.members;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      s += m.key;
      if (m.association) s += encodeReference(obj.references.get(m.name));
      else s += m.encode(bySlot && m.slot >= 0 ? store.valueAt(m.slot) : getValue(obj, m.name));
      s += '}';
    }
    return `${s}}}`;
  }

  private plan(entityName: string, rights: ReadonlyMap<string, MemberRight>): WritePlan {
    let byRights = this.plans.get(entityName);
    if (!byRights) {
      byRights = new WeakMap();
      this.plans.set(entityName, byRights);
    }
    let plan = byRights.get(rights);
    if (!plan) {
      plan = this.compile(entityName, rights);
      byRights.set(rights, plan);
    }
    return plan;
  }

  private compile(entityName: string, rights: ReadonlyMap<string, MemberRight>): WritePlan {
    const entity = this.model.entities.get(entityName);
    if (!entity) throw new Error(`unknown entity '${entityName}'`);
    const readable = (m: string) => {
      const r = rights.get(m);
      return r === 'Read' || r === 'ReadWrite';
    };
    const members: MemberPlan[] = [];
    const shape = shapeOf(entityName);
    const key = (name: string) => `${members.length ? ',' : ''}${JSON.stringify(name)}:{"value":`;
    for (const name of this.attributes ?? [...entity.attributes.keys()]) {
      const attr = entity.attributes.get(name);
      if (!attr || attr.type === 'Binary' || attr.type === 'HashedString' || !readable(name)) continue;
      members.push({ name, key: key(name), association: false, encode: encoderFor(attr), slot: shape.slot(name) });
    }
    const owned = ownedAssociations(entity);
    for (const a of this.associations ?? owned) {
      if (!owned.includes(a) || !readable(a)) continue;
      members.push({ name: a, key: key(a), association: true, encode: encodeNull, slot: -1 });
    }
    return { head: `{"objectType":${JSON.stringify(entityName)},"guid":"`, members, shape };
  }
}

interface WritePlan {
  /** `{"objectType":"Module.Entity","guid":"` */
  readonly head: string;
  readonly members: readonly MemberPlan[];
  /** The entity's slot layout the members' slots are of. */
  readonly shape: Shape;
}

interface MemberPlan {
  readonly name: string;
  /** `,"Name":{"value":` (no comma for the first member). */
  readonly key: string;
  readonly association: boolean;
  readonly encode: (v: AttributeValue | undefined) => string;
  /** The attribute's slot in the entity's shape (-1: read by name). */
  readonly slot: number;
}

const encodeNull = (): string => 'null';

function encodeNumber(n: number): string {
  // JSON.stringify writes NaN and the infinities as null.
  return Number.isFinite(n) ? String(n) : 'null';
}

/** The JSON text of `valueToJson(attr, v)` (values.ts), per attribute type, chosen once. */
function encoderFor(attr: CAttribute): (v: AttributeValue | undefined) => string {
  switch (attr.type) {
    case 'DateTime':
      return (v) => (v instanceof Date ? encodeNumber(v.getTime()) : 'null');
    case 'Long':
    case 'AutoNumber':
      return (v) => (v === null || v === undefined ? 'null' : typeof v === 'bigint' ? `"${v.toString()}"` : encodeString(String(v)));
    case 'Decimal':
      return (v) => (v === null || v === undefined ? 'null' : encodeString(Decimal.isDecimal(v) ? (v as Decimal).toFixed() : String(v)));
    case 'Integer':
      return (v) => (v === null || v === undefined ? 'null' : encodeNumber(typeof v === 'number' ? v : Number(v)));
    case 'Boolean':
      return (v) => (v === null || v === undefined ? 'null' : v === true ? 'true' : 'false');
    case 'Binary':
    case 'HashedString':
      return encodeNull;
    default:
      return (v) => (v === null || v === undefined ? 'null' : encodeString(typeof v === 'string' ? v : String(v)));
  }
}

/** Nothing JSON.stringify would escape: quotes, backslashes, control characters, surrogates (paired or lone). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** JSON.stringify(s), without its generic machinery for the common text that needs no escaping. */
function encodeString(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

function encodeReference(ref: AssociationValue | undefined): string {
  if (ref === undefined || ref === null) return 'null';
  if (Array.isArray(ref)) return `[${(ref as bigint[]).map((id) => `"${id.toString()}"`).join(',')}]`;
  return `"${(ref as bigint).toString()}"`;
}
