import type { CompiledModel } from '../../model/compiled/types.js';
import { guidOf, type MxObject } from '../../objects/mx-object.js';
import { JsonText } from '../protocol/json-text.js';
import { isAscii, ObjectWriter, type TextFlags } from '../protocol/object-writer.js';
import { objectVersion, type ObjectJson } from '../protocol/serialize.js';
import type { SessionSigner } from '../protocol/signing.js';

/**
 * The answer to a runtime operation, in seed 004's shape. Every response has
 * the common fields; retrieves add count/hasMoreItems/partialObjects/
 * resultGuids/extraGuids, microflow calls and creates add actionResult.
 */
export interface OperationResponse {
  actionResult?: { type: string; value: unknown };
  changes: Record<string, unknown>;
  commits: string[];
  committedObjectsOmitted: boolean;
  count?: number;
  deletes: string[];
  extraGuids?: string[];
  hasMoreItems?: boolean;
  newpersistable: string[];
  objects: ObjectJson[];
  partialObjects?: ObjectJson[];
  resets: Record<string, unknown>;
  resultGuids?: string[];
  instructions?: { type: string; args: Record<string, unknown> }[];
  /** Validation feedback from a microflow: guid -> member -> message. */
  datavalidation?: Record<string, Record<string, string>>;
}

export function emptyResponse(): OperationResponse {
  return { changes: {}, commits: [], committedObjectsOmitted: false, deletes: [], newpersistable: [], objects: [], resets: {} };
}

/**
 * The answers of the writing operations written straight to JSON text (as the retrieve's, see
 * retrieve-writer.ts): the text JSON.stringify makes of the OperationResponse they were built
 * as, byte for byte (emptyResponse's key order; a field set later, as the create's
 * actionResult, comes last), without that object and the objects' attribute maps made first.
 */
const writers = new WeakMap<CompiledModel, ObjectWriter>();

/** Every readable attribute and owned association, as serializeObject writes them without a list. */
function answerWriter(model: CompiledModel): ObjectWriter {
  let w = writers.get(model);
  if (!w) {
    w = new ObjectWriter(model, undefined, undefined);
    writers.set(model, w);
  }
  return w;
}

/** `"a","b"` for guids (digits only: no escaping); JSON.stringify for anything else. */
function guidList(guids: readonly string[]): string {
  let s = '';
  for (let i = 0; i < guids.length; i++) {
    const g = guids[i]!;
    if (i) s += ',';
    s += /^[0-9]+$/.test(g) ? `"${g}"` : JSON.stringify(g);
  }
  return s;
}

/** The create's answer: the new object, signed for the session, and its guid as the action's result. */
export function createdAnswer(model: CompiledModel, obj: MxObject, readable: (member: string) => boolean, signer: SessionSigner): JsonText {
  const entity = model.entities.get(obj.entity);
  if (!entity) throw new Error(`unknown entity '${obj.entity}'`);
  const text: TextFlags = { ascii: true };
  let s = '{"changes":{},"commits":[],"committedObjectsOmitted":false,"deletes":[],"newpersistable":[],"objects":[';
  s = answerWriter(model).appendSigned(s, obj, readable, signer, objectVersion(entity.systemMembers.changedDate, obj), text);
  s += '],"resets":{},"actionResult":{"type":"ObjectReference","value":"';
  s += guidOf(obj);
  s += '"}}';
  return new JsonText(s, text.ascii);
}

/** An object a commit committed, with what the user may read of it. */
export interface CommittedObject {
  readonly object: MxObject;
  readonly readable: (member: string) => boolean;
}

/** The commit's answer: the committed objects' guids, and the objects unless there are more than `threshold` (then ids only). */
export function committedAnswer(model: CompiledModel, objects: readonly CommittedObject[], threshold: number): JsonText {
  const omitted = objects.length > threshold;
  let s = '{"changes":{},"commits":[';
  for (let i = 0; i < objects.length; i++) {
    s += i ? ',"' : '"';
    s += guidOf(objects[i]!.object);
    s += '"';
  }
  s += omitted
    ? '],"committedObjectsOmitted":true,"deletes":[],"newpersistable":[],"objects":['
    : '],"committedObjectsOmitted":false,"deletes":[],"newpersistable":[],"objects":[';
  const text: TextFlags = { ascii: true };
  if (!omitted) {
    const writer = answerWriter(model);
    for (let i = 0; i < objects.length; i++) {
      const o = objects[i]!;
      if (i) s += ',';
      s = writer.appendAllowed(s, o.object, o.readable, text);
    }
  }
  s += '],"resets":{}}';
  return new JsonText(s, text.ascii);
}

/** The delete's answer: the guids it was given. */
export function deletedAnswer(guids: readonly string[]): JsonText {
  const s = `{"changes":{},"commits":[],"committedObjectsOmitted":false,"deletes":[${guidList(guids)}],"newpersistable":[],"objects":[],"resets":{}}`;
  return new JsonText(s, isAscii(s));
}
