import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import Database from 'better-sqlite3';
import { deserialize } from 'bson';
import { UserError } from '../model/diagnostics.js';

/** A BSON object of the Mendix metamodel: `$Type` plus its properties (arrays without their marker). */
export interface MxObject {
  $Type: string;
  $ID?: string;
  [key: string]: unknown;
}

/** One unit (document) of a Mendix project. */
export interface MxUnit {
  id: string;
  containerId: string | undefined;
  containmentName: string;
  doc: MxObject;
}

export interface MxProject {
  /** mpr-v1, mpr-v2, mdp or unit (single .mxunit / .bson). */
  format: 'mpr-v1' | 'mpr-v2' | 'mdp' | 'unit';
  productVersion: string | undefined;
  name: string;
  units: MxUnit[];
}

/** A Mendix GUID as stored (16 bytes, .NET byte order) -> its textual form. */
function guid(bytes: Uint8Array): string {
  const h = [...bytes].map((b) => b.toString(16).padStart(2, '0'));
  if (h.length !== 16) return h.join('');
  return `${h[3]}${h[2]}${h[1]}${h[0]}-${h[5]}${h[4]}-${h[7]}${h[6]}-${h[8]}${h[9]}-${h.slice(10).join('')}`;
}

/** Turns a deserialized BSON value into plain data: binary ids -> GUID strings, array markers dropped. */
function normalise(v: unknown, markers: boolean): unknown {
  if (v instanceof Uint8Array) return guid(v);
  if (Array.isArray(v)) {
    const items = markers && v.length > 0 && typeof v[0] === 'number' ? v.slice(1) : v;
    return items.map((x) => normalise(x, markers));
  }
  if (v && typeof v === 'object') {
    const bin = v as { _bsontype?: string; buffer?: Uint8Array };
    if (bin._bsontype === 'Binary' && bin.buffer) return guid(bin.buffer);
    if (bin._bsontype) return String(v);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = normalise(x, markers);
    return out;
  }
  return v;
}

export function decodeUnit(buf: Uint8Array, markers = true): MxObject {
  return normalise(deserialize(buf, { promoteBuffers: true }), markers) as MxObject;
}

/** Splits a stream of BSON documents (each starts with its int32 length). */
export function splitBsonStream(buf: Buffer): Buffer[] {
  const docs: Buffer[] = [];
  let at = 0;
  while (at + 4 <= buf.length) {
    const len = buf.readInt32LE(at);
    if (len < 5 || at + len > buf.length) throw new UserError(`model.mdp: corrupt BSON stream at byte ${at}`);
    docs.push(buf.subarray(at, at + len));
    at += len;
  }
  return docs;
}

/** Reads a Mendix project: an .mpr (v1: units inside, v2: units in mprcontents/), a model.mdp or one unit file. */
export function readProject(path: string): MxProject {
  if (!existsSync(path) || !statSync(path).isFile()) throw new UserError(`no such file: ${path}`);
  const ext = extname(path).toLowerCase();
  const name = basename(path, extname(path));
  if (ext === '.mpr') return readMpr(path, name);
  const buf = readFileSync(path);
  if (ext === '.mdp') return readMdp(buf, name);
  return { format: 'unit', productVersion: undefined, name, units: [{ id: 'unit', containerId: undefined, containmentName: '', doc: decodeUnit(buf) }] };
}

function readMpr(path: string, name: string): MxProject {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const columns = new Set((db.prepare("SELECT name FROM pragma_table_info('Unit')").all() as { name: string }[]).map((c) => c.name));
    if (!columns.has('UnitID')) throw new UserError(`${path}: not a Mendix project (no Unit table)`);
    const v1 = columns.has('Contents');
    const meta = db.prepare('SELECT _ProductVersion AS v FROM _MetaData').get() as { v?: string } | undefined;
    const rows = db.prepare(`SELECT UnitID, ContainerID, ContainmentName${v1 ? ', Contents' : ''} FROM Unit`).all() as {
      UnitID: Buffer;
      ContainerID: Buffer | null;
      ContainmentName: string | null;
      Contents?: Buffer | null;
    }[];
    const units: MxUnit[] = [];
    for (const r of rows) {
      const id = guid(r.UnitID);
      let buf = r.Contents ?? undefined;
      if (!buf) {
        const file = join(dirname(path), 'mprcontents', id.slice(0, 2), id.slice(2, 4), `${id}.mxunit`);
        if (!existsSync(file)) throw new UserError(`${path}: unit ${id} has no contents (expected ${file})`);
        buf = readFileSync(file);
      }
      units.push({ id, containerId: r.ContainerID ? guid(r.ContainerID) : undefined, containmentName: r.ContainmentName ?? '', doc: decodeUnit(buf) });
    }
    units.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { format: v1 ? 'mpr-v1' : 'mpr-v2', productVersion: meta?.v, name, units };
  } finally {
    db.close();
  }
}

/**
 * The runtime's model.mdp: a stream of BSON documents without array markers; documents name
 * themselves by `QualifiedName` (Module.Name) instead of a container.
 */
function readMdp(buf: Buffer, name: string): MxProject {
  const units: MxUnit[] = [];
  splitBsonStream(buf).forEach((b, i) => {
    const doc = decodeUnit(b, false);
    units.push({ id: String(doc.$ID ?? `mdp-${i}`), containerId: undefined, containmentName: '', doc });
  });
  return { format: 'mdp', productVersion: undefined, name, units };
}
