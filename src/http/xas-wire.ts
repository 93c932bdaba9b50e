import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * The `/xas/` wire format (seed 004, docs/client-api.md): the request bodies as
 * TypeBox schemas, their TypeScript types derived with `Static<>`, and the
 * shapes of answers. Shared by the server (the dispatcher checks each action's
 * body with its schema, compiled once at start-up) and the browser client
 * (client/src/api/types.ts imports the types only, so no TypeBox code goes into
 * the bundle). Imports nothing but TypeBox: no server code may be added here.
 *
 * A schema's `errorMessage` is the problem a 400 states for its field:
 * `malformed request: 'options.amount' must be an integer from 0 to 10000, or -1 for all`.
 */

/** A schema's type as senders build it: `Static<>`, read-only all the way down (the client keeps its state immutable). */
export type Wire<S extends TSchema> = DeepReadonly<Static<S>>;
type DeepReadonly<T> = T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** The most objects one request may ask for or name. */
const MAX_AMOUNT = 10000;

/** `null` counts as absent, as the client API always accepted it. */
function nullable<T extends TSchema>(t: T) {
  return Type.Union([t, Type.Null()], { errorMessage: t.errorMessage as string | undefined });
}

const params = (errorMessage: string) => Type.Record(Type.String(), Type.Unknown(), { errorMessage });

// --- values and objects --------------------------------------------------------------------------

/** The largest object id: ids are signed 64-bit integers in every database. */
const MAX_OBJECT_ID = '9223372036854775807';

/** A pattern for decimal digits whose value is at most `max` (a regular expression cannot compare numbers). */
function digitsAtMost(max: string): string {
  const alts = [`\\d{1,${max.length - 1}}`];
  for (let i = 0; i < max.length; i++) {
    const d = Number(max[i]);
    const rest = max.length - i - 1;
    if (rest === 0) alts.push(`${max.slice(0, i)}[0-${d}]`);
    else if (d > 0) alts.push(`${max.slice(0, i)}[0-${d - 1}]\\d{${rest}}`);
  }
  return `^(?:${alts.join('|')})$`;
}

/** An object id: the decimal digits of a 64-bit id, as a string (larger numbers are no id: 400, not a database error). */
export const Guid = Type.String({ pattern: digitsAtMost(MAX_OBJECT_ID), errorMessage: `must be an object id string (at most ${MAX_OBJECT_ID})` });
export type Guid = Static<typeof Guid>;

/** A member's value as JSON: String/Enumeration/Long/Decimal/reference as string, Integer/DateTime as number. */
export type WireValue = string | number | boolean | null | readonly string[];

/** `{value}`: a member's value as the client sends it (checked against the member's type later). */
const MemberValue = Type.Object({ value: Type.Unknown() }, { errorMessage: 'must be {value}' });

/** guid -> member -> `{value}`: the client's unsaved changes. */
const ChangesWire = Type.Record(Guid, Type.Record(Type.String(), MemberValue, { errorMessage: 'must be an object of member -> {value}' }), {
  additionalProperties: Type.Never({ errorMessage: 'is not an object id' }),
  errorMessage: 'must be an object of guid -> {member: {value}}',
});

/** An object the client holds (new or changed) and sends back as the server signed it. */
export const ClientObjectWire = Type.Object(
  {
    objectType: Type.String({ errorMessage: 'must be an entity name' }),
    guid: Guid,
    attributes: Type.Optional(nullable(Type.Record(Type.String(), MemberValue, { errorMessage: 'must be an object of member -> {value}' }))),
    hash: Type.String({ errorMessage: 'must be the signature the server sent' }),
  },
  { errorMessage: 'must be an object' },
);
export type ClientObjectWire = Wire<typeof ClientObjectWire>;

// --- runtimeOperation ----------------------------------------------------------------------------

/** A sort key: `[attribute, 'asc'|'desc']` (direction defaults to ascending). */
const SortKey = Type.Union([Type.Tuple([Type.String()]), Type.Tuple([Type.String(), Type.Union([Type.Literal('asc'), Type.Literal('desc')])])], {
  errorMessage: 'must be [attribute, "asc"|"desc"]',
});

/** Operators of a column filter (Data Grid 2's filter widgets); which apply depends on the attribute's type. */
export const FILTER_OPERATORS = [
  'contains',
  'startsWith',
  'endsWith',
  'equal',
  'notEqual',
  'greater',
  'greaterEqual',
  'smaller',
  'smallerEqual',
  'empty',
  'notEmpty',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** The most column filters one request may carry. */
const MAX_FILTERS = 20;

/**
 * A column filter: structured, never XPath text. The server checks the attribute
 * (shown by the widget, readable on every object) and the value (of the
 * attribute's type) and compiles it with the value as a bound parameter.
 */
export const FilterWire = Type.Object(
  {
    attribute: Type.String({ minLength: 1, maxLength: 200, errorMessage: 'must be an attribute name' }),
    operator: Type.Union(
      FILTER_OPERATORS.map((o) => Type.Literal(o)),
      { errorMessage: `must be one of ${FILTER_OPERATORS.join(', ')}` },
    ),
    /** String/Enumeration/Long/Decimal as a string, Integer as a number, DateTime as epoch milliseconds, Boolean; absent for empty/notEmpty. */
    value: Type.Optional(
      nullable(
        Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Boolean()], {
          errorMessage: 'must be a string of at most 1000 characters, a number or a Boolean',
        }),
      ),
    ),
  },
  { additionalProperties: false, errorMessage: 'must be {attribute, operator, value}' },
);
export type FilterWire = Wire<typeof FilterWire>;

/** Retrieve options of a runtime operation; every field may be left out. */
export const RetrieveOptionsWire = Type.Object(
  {
    /** Up to 2^53 - 1: beyond, a JSON number is no longer an exact integer. */
    offset: Type.Optional(
      nullable(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, errorMessage: `must be a non-negative integer up to ${Number.MAX_SAFE_INTEGER}` })),
    ),
    /** -1 = everything. */
    amount: Type.Optional(
      nullable(Type.Integer({ minimum: -1, maximum: MAX_AMOUNT, errorMessage: `must be an integer from 0 to ${MAX_AMOUNT}, or -1 for all` })),
    ),
    /** Client sort keys; empty = the widget's sort. */
    sort: Type.Optional(nullable(Type.Array(SortKey, { errorMessage: 'must be a list of [attribute, "asc"|"desc"]' }))),
    wantCount: Type.Optional(nullable(Type.Boolean({ errorMessage: 'must be true or false' }))),
    /** XPath constraint from the client (search), `[...]`, or ''. */
    extraXpath: Type.Optional(nullable(Type.String({ maxLength: 10000, errorMessage: 'must be an XPath constraint string of at most 10000 characters' }))),
    /** Column filters, all of which an object must pass (with extraXpath). */
    filters: Type.Optional(nullable(Type.Array(FilterWire, { maxItems: MAX_FILTERS, errorMessage: `must be a list of at most ${MAX_FILTERS} filters` }))),
  },
  { errorMessage: 'must be an object' },
);
export type RetrieveOptionsWire = Wire<typeof RetrieveOptionsWire>;

/** `runtimeOperation`: run the operation the server registered under `operationId` (ids come from page definitions). */
export const RuntimeOperationRequest = Type.Object({
  action: Type.Literal('runtimeOperation'),
  operationId: Type.String({ minLength: 1, maxLength: 64, errorMessage: 'must be an operation id string' }),
  params: Type.Optional(nullable(params('must be an object'))),
  options: Type.Optional(nullable(RetrieveOptionsWire)),
  changes: Type.Optional(nullable(ChangesWire)),
  objects: Type.Optional(nullable(Type.Array(ClientObjectWire, { errorMessage: 'must be a list' }))),
  /** A microflow call only: answer at once with `{asyncCall: {id}}` and run it in the background; the client polls `asyncResult`. */
  async: Type.Optional(nullable(Type.Boolean({ errorMessage: 'must be true or false' }))),
});
export type RuntimeOperationRequest = Wire<typeof RuntimeOperationRequest>;

/** `asyncResult`: the answer of an asynchronous microflow call, `{done: false}` while it runs. */
export const AsyncResultRequest = Type.Object({
  action: Type.Literal('asyncResult'),
  params: Type.Object(
    { id: Type.String({ pattern: '^[0-9a-f]{32}$', errorMessage: 'must be the id of an asynchronous call' }) },
    { errorMessage: 'must be {id}' },
  ),
});
export type AsyncResultRequest = Wire<typeof AsyncResultRequest>;

/** `params.<name>` of commit, delete and rollback operations: the objects by id. */
export const ObjectsParam = Type.Object(
  {
    guids: Type.Array(Guid, { maxItems: MAX_AMOUNT, errorMessage: `must be a list of at most ${MAX_AMOUNT} object ids` }),
  },
  { errorMessage: 'must be {guids: [object id, ...]}' },
);

/** A single-object parameter `params.<name>` (microflow parameter, data view parameter). */
export const ObjectParam = Type.Object({ guid: Guid }, { errorMessage: 'must be {guid}' });

// --- login, logout, session ----------------------------------------------------------------------

export const LoginRequest = Type.Object({
  action: Type.Literal('login'),
  params: Type.Object(
    {
      username: Type.String({ errorMessage: 'must be a string' }),
      password: Type.String({ errorMessage: 'must be a string' }),
    },
    { errorMessage: 'must be {username, password}' },
  ),
});
export type LoginRequest = Wire<typeof LoginRequest>;

/** `change_password`: the session user's own password, with the current one (Mendix's change-password form). */
export const ChangePasswordRequest = Type.Object({
  action: Type.Literal('change_password'),
  params: Type.Object(
    {
      oldPassword: Type.String({ maxLength: 1000, errorMessage: 'must be a string' }),
      newPassword: Type.String({ maxLength: 1000, errorMessage: 'must be a string of at most 1000 characters' }),
    },
    { errorMessage: 'must be {oldPassword, newPassword}' },
  ),
});
export type ChangePasswordRequest = Wire<typeof ChangePasswordRequest>;

/** The body of an action without parameters of its own (logout, get_session_data, keepalive): `params`, if sent, is an object. */
export const PlainRequest = Type.Object({
  action: Type.String(),
  params: Type.Optional(nullable(params('must be an object'))),
});
export type PlainRequest = Wire<typeof PlainRequest>;

/** What every body has: the action, which selects the handler. */
export const XasEnvelope = Type.Object(
  {
    action: Type.String({ errorMessage: 'must be a string' }),
  },
  { errorMessage: 'must be a JSON object' },
);

// --- answers -------------------------------------------------------------------------------------

/** An object as the server sends it; `hash` (signature) comes with client-held objects, to be sent back unchanged. */
export interface WireObject {
  readonly objectType: string;
  readonly guid: Guid;
  readonly attributes: Readonly<Record<string, { readonly value?: WireValue; readonly readonly?: boolean }>>;
  readonly hash?: string;
}

/** guid -> member -> `{value}`, as the client builds it and the server may send it. */
export type WireChanges = Record<Guid, Record<string, { value: WireValue }>>;
