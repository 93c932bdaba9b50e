import { Decimal } from 'decimal.js';
import type { CAttribute, CompiledModel, MemberRight } from '../../model/compiled/types.js';
import { getValue, guidOf, slotStoreOf, type MxObject } from '../../objects/mx-object.js';
import { shapeOf, type Shape } from '../../objects/slot-map.js';
import { ownedAssociations } from '../../model/compiled/owned-associations.js';
import type { AssociationValue, AttributeValue } from '../../objects/values.js';
import type { SessionSigner } from './signing.js';

/**
 * Writes objects straight to JSON text in the shape `serializeObject` builds
 * (`{"objectType":..,"guid":..,"attributes":{"Name":{"value":..},..}}`, same
 * members, same order, same value encoding), without building the object
 * first and stringifying it after. A retrieve sends a page of these on every
 * request: this is the hot path of the client API, so what can be decided
 * once (which members, their keys, their encoders) is decided once per entity
 * and set of member rights, and each object costs only string concatenation.
 * The objects of a write's answer (rights as a predicate) go through
 * `appendAllowed`, signed ones through `appendSigned`.
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
    return this.append('', obj, rights);
  }

  /**
   * `s` followed by the object's JSON text. Each string is one concatenation less than
   * `s + write(..)`, and text that needs no escaping goes in between quotes that are part of
   * the members' keys: few pieces to concatenate, and so few for V8 to flatten when the
   * answer is sent. `text.ascii` is cleared when what is written is not all ASCII.
   */
  append(s: string, obj: MxObject, rights: ReadonlyMap<string, MemberRight>, text: TextFlags = { ascii: true }): string {
    return this.appendWith(s, obj, this.plan(obj.entity, rights), text);
  }

  /**
   * `append` for the objects of a write's answer (a commit's), whose rights come as a predicate
   * (the rules the object matches, or the union for a new one): asked once per member and
   * object, the plan found by the set of members it allows.
   */
  appendAllowed(s: string, obj: MxObject, readable: (member: string) => boolean, text: TextFlags = { ascii: true }): string {
    return this.appendWith(s, obj, this.planAllowed(obj.entity, readable), text);
  }

  /**
   * `s` followed by the object's JSON text with its `hash` (serializeObject with a signer):
   * the signature is made over the same values' JSON text the answer carries (the canonical
   * text SessionSigner.sign builds from them), so no values object is built for it.
   */
  appendSigned(
    s: string,
    obj: MxObject,
    readable: (member: string) => boolean,
    signer: SessionSigner,
    version: number | null,
    text: TextFlags = { ascii: true },
  ): string {
    const plan = this.planAllowed(obj.entity, readable);
    if (!plan.ascii) text.ascii = false;
    const store = slotStoreOf(obj);
    const bySlot = store !== undefined && store.shape === plan.shape;
    const members = plan.members;
    const values: string[] = [];
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      let t: string;
      if (m.kind === ASSOCIATION) t = encodeReference(obj.references.get(m.name));
      else {
        t = m.encode(bySlot && m.slot >= 0 ? store.valueAt(m.slot) : getValue(obj, m.name));
        if (!m.ascii && text.ascii && !isAscii(t)) text.ascii = false;
      }
      values.push(t);
    }
    const guid = guidOf(obj);
    const isNew = obj.state === 'new';
    // [objectType, guid, state, [[name, value], ..] by name]: JSON.stringify's text of what sign() is given.
    let canonical = plan.canonicalHead;
    canonical += guid;
    canonical += isNew ? '","new",[' : '","changed",[';
    const sorted = plan.sorted;
    for (let i = 0; i < sorted.length; i++) {
      const k = sorted[i]!;
      canonical += i ? ',[' : '[';
      canonical += plan.names[k]!;
      canonical += ',';
      canonical += values[k]!;
      canonical += ']';
    }
    canonical += ']]';
    s += plan.head;
    s += guid;
    s += '","attributes":{';
    for (let i = 0; i < members.length; i++) {
      s += members[i]!.keys[0]!;
      s += values[i]!;
    }
    s += members.length ? '}},"hash":"' : '},"hash":"';
    s += signer.signCanonical(canonical, isNew, version);
    s += '"}';
    return s;
  }

  private appendWith(s: string, obj: MxObject, plan: WritePlan, text: TextFlags): string {
    if (!plan.ascii) text.ascii = false;
    // An object of createMxObject is read by slot (no Map view made, no lookup by name).
    const store = slotStoreOf(obj);
    const bySlot = store !== undefined && store.shape === plan.shape;
    s += plan.head;
    s += guidOf(obj);
    s += '","attributes":{';
    const members = plan.members;
    // 1 while the text so far ends inside a string value whose closing quote is still to come.
    let open = 0;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      if (m.kind === ASSOCIATION) {
        s += m.keys[open * 2]!;
        s += encodeReference(obj.references.get(m.name));
        open = 0;
        continue;
      }
      const v = bySlot && m.slot >= 0 ? store.valueAt(m.slot) : getValue(obj, m.name);
      if (m.kind === TEXT && typeof v === 'string' && plain(v)) {
        s += m.keys[open * 2 + 1]!;
        s += v;
        open = 1;
      } else {
        s += m.keys[open * 2]!;
        const t = m.encode(v);
        if (!m.ascii && text.ascii && !isAscii(t)) text.ascii = false;
        s += t;
        open = 0;
      }
    }
    s += plan.tails[open]!;
    return s;
  }

  /** Per entity: the members a plan may write (before rights), and the plans by which of them are readable. */
  private readonly allowedPlans = new Map<string, { readonly candidates: readonly string[]; readonly byMask: Map<number | string, WritePlan> }>();

  private planAllowed(entityName: string, readable: (member: string) => boolean): WritePlan {
    let per = this.allowedPlans.get(entityName);
    if (!per) {
      per = { candidates: this.candidates(entityName), byMask: new Map() };
      this.allowedPlans.set(entityName, per);
    }
    const { candidates } = per;
    // The readable candidates as bits (as text past 31 members).
    let mask: number | string = 0;
    if (candidates.length <= 31) {
      for (let i = 0; i < candidates.length; i++) if (readable(candidates[i]!)) mask |= 1 << i;
    } else {
      mask = '';
      for (let i = 0; i < candidates.length; i++) mask += readable(candidates[i]!) ? '1' : '0';
    }
    let plan = per.byMask.get(mask);
    if (!plan) {
      const allowed = new Set(candidates.filter((_, i) => (typeof mask === 'number' ? (mask & (1 << i)) !== 0 : mask[i] === '1')));
      plan = this.compile(entityName, (m) => allowed.has(m));
      per.byMask.set(mask, plan);
    }
    return plan;
  }

  /** The members compile() may write of the entity when all are readable. */
  private candidates(entityName: string): string[] {
    const entity = this.model.entities.get(entityName);
    if (!entity) throw new Error(`unknown entity '${entityName}'`);
    const out: string[] = [];
    for (const name of this.attributes ?? entity.attributes.keys()) {
      const attr = entity.attributes.get(name);
      if (attr && attr.type !== 'Binary' && attr.type !== 'HashedString') out.push(name);
    }
    const owned = ownedAssociations(entity);
    for (const a of this.associations ?? owned) if (owned.includes(a)) out.push(a);
    return out;
  }

  /** The plan last looked up, with what it was looked up by: a page's objects mostly share both. */
  private last: { readonly entity: string; readonly rights: ReadonlyMap<string, MemberRight>; readonly plan: WritePlan } | undefined = undefined;

  private plan(entityName: string, rights: ReadonlyMap<string, MemberRight>): WritePlan {
    const last = this.last;
    if (last !== undefined && last.rights === rights && last.entity === entityName) return last.plan;
    const plan = this.lookUp(entityName, rights);
    this.last = { entity: entityName, rights, plan };
    return plan;
  }

  private lookUp(entityName: string, rights: ReadonlyMap<string, MemberRight>): WritePlan {
    let byRights = this.plans.get(entityName);
    if (!byRights) {
      byRights = new WeakMap();
      this.plans.set(entityName, byRights);
    }
    let plan = byRights.get(rights);
    if (!plan) {
      plan = this.compile(entityName, (m) => {
        const r = rights.get(m);
        return r === 'Read' || r === 'ReadWrite';
      });
      byRights.set(rights, plan);
    }
    return plan;
  }

  private compile(entityName: string, readable: (member: string) => boolean): WritePlan {
    const entity = this.model.entities.get(entityName);
    if (!entity) throw new Error(`unknown entity '${entityName}'`);
    const members: MemberPlan[] = [];
    const shape = shapeOf(entityName);
    // By (the previous value's string still open) * 2 + (this value's string opened here): closes
    // the previous member (its string, its `{"value":..}`), names this one and opens its string.
    const keys = (name: string): readonly string[] => {
      const key = `${members.length ? '},' : ''}${JSON.stringify(name)}:{"value":`;
      return [key, `${key}"`, `"${key}`, `"${key}"`];
    };
    for (const name of this.attributes ?? [...entity.attributes.keys()]) {
      const attr = entity.attributes.get(name);
      if (!attr || attr.type === 'Binary' || attr.type === 'HashedString' || !readable(name)) continue;
      members.push({ name, keys: keys(name), kind: textual(attr) ? TEXT : VALUE, encode: encoderFor(attr), ascii: writesAscii(attr), slot: shape.slot(name) });
    }
    const owned = ownedAssociations(entity);
    for (const a of this.associations ?? owned) {
      if (!owned.includes(a) || !readable(a)) continue;
      members.push({ name: a, keys: keys(a), kind: ASSOCIATION, encode: encodeNull, ascii: true, slot: -1 });
    }
    // The last member's string and `{"value":..}`, the attributes, the object.
    const end = members.length ? '}}}' : '}}';
    const head = `{"objectType":${JSON.stringify(entityName)},"guid":"`;
    const ascii = isAscii(head) && members.every((m) => m.keys.every(isAscii));
    const names = members.map((m) => JSON.stringify(m.name));
    // The order SessionSigner's canonical text has the members in (Object.keys(..).sort()).
    const byName = members.map((m) => m.name).sort();
    const sorted = byName.map((n) => members.findIndex((m) => m.name === n));
    return { head, members, tails: [end, `"${end}`], shape, ascii, names, sorted, canonicalHead: `[${JSON.stringify(entityName)},"` };
  }
}

interface WritePlan {
  /** `{"objectType":"Module.Entity","guid":"` */
  readonly head: string;
  readonly members: readonly MemberPlan[];
  /** What ends the object, by whether the last value's string is still open (0, 1). */
  readonly tails: readonly string[];
  /** The entity's slot layout the members' slots are of. */
  readonly shape: Shape;
  /** Whether the head and the keys are all ASCII (names in a model mostly are). */
  readonly ascii: boolean;
  /** The members' names as JSON strings (for the signature's canonical text). */
  readonly names: readonly string[];
  /** Indexes of `members` in the order of their names (sorted as the signature's canonical text has them). */
  readonly sorted: readonly number[];
  /** `["Module.Entity","`: the canonical text up to the guid. */
  readonly canonicalHead: string;
}

/** What writing learns of the text on the way. */
export interface TextFlags {
  /** Still true when every character written is ASCII (see JsonText). */
  ascii: boolean;
}

/** A member whose value is text as it is stored (String, Enumeration): written between quotes when it needs no escaping. */
const TEXT = 0;
/** Any other attribute: its encoder writes it. */
const VALUE = 1;
const ASSOCIATION = 2;

interface MemberPlan {
  readonly name: string;
  /** `},"Name":{"value":`, by the open strings before and after (see compile); no `},` for the first member. */
  readonly keys: readonly string[];
  readonly kind: typeof TEXT | typeof VALUE | typeof ASSOCIATION;
  readonly encode: (v: AttributeValue | undefined) => string;
  /** Whether `encode` writes ASCII whatever the value (numbers, booleans, null). */
  readonly ascii: boolean;
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

/** Whether `encoderFor(attr)` writes a string value as `"<the string>"` when it needs no escaping. */
function textual(attr: CAttribute): boolean {
  switch (attr.type) {
    case 'DateTime':
    case 'Long':
    case 'AutoNumber':
    case 'Decimal':
    case 'Integer':
    case 'Boolean':
    case 'Binary':
    case 'HashedString':
      return false;
    default:
      return true;
  }
}

/** Whether `encoderFor(attr)` writes ASCII whatever the value. */
function writesAscii(attr: CAttribute): boolean {
  return attr.type === 'DateTime' || attr.type === 'Integer' || attr.type === 'Boolean';
}

/**
 * ASCII that JSON.stringify writes as it is: no quote, backslash or control character (and no
 * surrogate, paired or lone, being ASCII). A scan by char code: the values of a page are short,
 * and a regular expression's call cost more than its match (80 strings per overview page).
 * Anything else is JSON.stringify's to write.
 */
function plain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7f) return false;
  }
  return true;
}

/** Whether every char of `s` is ASCII (its UTF-8 bytes are its latin1 bytes). */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** JSON.stringify(s), without its generic machinery for the common text that needs no escaping. */
function encodeString(s: string): string {
  return plain(s) ? `"${s}"` : JSON.stringify(s);
}

function encodeReference(ref: AssociationValue | undefined): string {
  if (ref === undefined || ref === null) return 'null';
  if (Array.isArray(ref)) return `[${(ref as bigint[]).map((id) => `"${id.toString()}"`).join(',')}]`;
  return `"${(ref as bigint).toString()}"`;
}
