import type pg from 'pg';
import type { RawResult } from '../driver.js';

/**
 * A named prepared statement run through pg's Submittable interface (the
 * extension point pg-cursor and pg-query-stream use), for the data statements.
 *
 * pg's own Query sends Describe with every execution, and every answer then
 * carries a RowDescription that pg parses and turns into a fresh row template
 * and parser list (per column: a keyed store into a new object shape, a type
 * parser lookup) before the first row: for a one-row SELECT that was more work
 * than the row itself. Here the shape of a statement's rows is taken from the
 * first execution on each connection (the one that also parses it) and kept
 * with that connection; later executions send Bind, Execute and Sync only.
 * A changed result type cannot meet a stale shape: PostgreSQL refuses to run
 * a prepared statement whose result type changed ("cached plan must not
 * change result type") rather than answer in the new type.
 */

/** The part of pg's Connection a statement writes to (pg's Client hands it to `submit`). */
interface WireConnection {
  readonly parsedStatements: Record<string, string>;
  readonly submittedNamedStatements: Record<string, string>;
  readonly stream: { cork?(): void; uncork?(): void };
  parse(q: { name: string; text: string; types: never[] }): void;
  bind(b: { portal: string; statement: string; values: readonly unknown[]; binary: boolean }): void;
  describe(d: { type: 'P'; name: string }): void;
  execute(e: { portal: string; rows: number }): void;
  close(c: { type: 'S'; name: string }): void;
  sync(): void;
  sendCopyFail(why: string): void;
}

type Parser = (text: string) => unknown;
type RowBuilder = (fields: readonly (string | null)[], parsers: readonly Parser[]) => Record<string, unknown>;

/** The columns of a statement's rows, in order, with the parser of each (null: the statement has no rows). */
interface RowShape {
  readonly parsers: readonly Parser[];
  readonly build: RowBuilder;
}

/**
 * A row object built by one object literal with the columns' names as its keys, compiled once
 * per shape: V8 makes every row of the statement with one hidden class and no store by a name
 * that changes every turn (which misses its inline caches). The source holds nothing but the
 * names as JSON string literals and column numbers. A repeated name keeps its last value, as pg.
 */
function rowBuilder(names: readonly string[]): RowBuilder {
  // `"__proto__": v` in a literal (as `row[name] = v`) would set the prototype: defined instead.
  if (names.includes('__proto__'))
    return (f, p) => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) {
        const v = f[i];
        Object.defineProperty(row, names[i]!, { value: v == null ? null : p[i]!(v), enumerable: true, writable: true, configurable: true });
      }
      return row;
    };
  let src = 'return {';
  for (let i = 0; i < names.length; i++) src += `${JSON.stringify(names[i])}: f[${i}] == null ? null : p[${i}](f[${i}]),\n`;
  return new Function('f', 'p', `${src}};`) as RowBuilder;
}

type TypeParsers = Pick<pg.CustomTypesConfig, 'getTypeParser'>;

/** Shapes by statement name, per connection (a connection's prepared statements are its own). */
const shapes = new WeakMap<object, Map<string, RowShape | null | typeof STALE>>();

/** A statement the server refused to run again because its result type changed: closed and parsed anew. */
const STALE = Symbol('stale');

export class PreparedStatement {
  /** Read by pg's Client: a named statement it records as parsed on its connection once parsed. */
  readonly text: string;
  readonly name: string;
  private readonly values: readonly unknown[];
  private readonly types: TypeParsers;
  private readonly done: (err: Error | undefined, r: RawResult | undefined) => void;
  private known: Map<string, RowShape | null | typeof STALE> | undefined;
  private shape: RowShape | null | undefined;
  /** Describe went out with this execution: the answer brings the shape (RowDescription, or none for no rows). */
  private describing = false;
  private rows: Record<string, unknown>[] | undefined;
  private affectedRows = 0;
  private failed: Error | undefined;
  private finished = false;

  constructor(name: string, text: string, values: readonly unknown[], types: TypeParsers, done: (err: Error | undefined, r: RawResult | undefined) => void) {
    this.name = name;
    this.text = text;
    this.values = values;
    this.types = types;
    this.done = done;
  }

  submit(connection: WireConnection): Error | null {
    const previous = connection.parsedStatements[this.name] ?? connection.submittedNamedStatements[this.name];
    if (previous !== undefined && previous !== this.text) return new Error(`prepared statement '${this.name}' was used for a different statement`);
    let known = shapes.get(connection);
    if (known === undefined) shapes.set(connection, (known = new Map()));
    this.known = known;
    let shape = known.get(this.name);
    connection.stream.cork?.();
    try {
      let parsed = previous !== undefined;
      if (shape === STALE) {
        connection.close({ type: 'S', name: this.name });
        delete connection.parsedStatements[this.name];
        parsed = false;
      }
      if (!parsed) {
        // Parsed now (again, after an error dropped it): its shape is learnt again too.
        shape = undefined;
        known.delete(this.name);
        connection.parse({ name: this.name, text: this.text, types: [] });
        connection.submittedNamedStatements[this.name] = this.text;
      }
      try {
        connection.bind({ portal: '', statement: this.name, values: this.values, binary: false });
      } catch (e) {
        // A value the wire cannot carry (the caller sends text, Buffers and nulls only): the
        // statement fails once the server has answered the Sync.
        this.failed = e as Error;
        connection.sync();
        return null;
      }
      this.shape = shape as RowShape | null | undefined;
      if (this.shape === undefined) {
        this.describing = true;
        connection.describe({ type: 'P', name: '' });
      }
      connection.execute({ portal: '', rows: 0 });
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  handleRowDescription(msg: { fields: readonly { name: string; dataTypeID: number }[] }): void {
    const parsers = msg.fields.map((f) => this.types.getTypeParser(f.dataTypeID, 'text') as Parser);
    this.shape = { parsers, build: rowBuilder(msg.fields.map((f) => f.name)) };
    if (this.describing) this.known?.set(this.name, this.shape);
  }

  handleDataRow(msg: { fields: readonly (string | null)[] }): void {
    const shape = this.shape;
    if (!shape || this.failed) return;
    let row: Record<string, unknown>;
    try {
      row = shape.build(msg.fields, shape.parsers);
    } catch (e) {
      // As pg: a value its parser refuses fails the statement once the server is done with it.
      this.failed = e as Error;
      return;
    }
    (this.rows ??= []).push(row);
  }

  handleCommandComplete(msg: { text: string }): void {
    // Described and no RowDescription came: a statement without rows (NoData).
    if (this.describing && this.shape === undefined) this.known?.set(this.name, null);
    this.affectedRows = affectedRowsOf(msg.text);
  }

  handleEmptyQuery(): void {}

  handlePortalSuspended(): void {}

  handleCopyInResponse(connection: WireConnection): void {
    connection.sendCopyFail('no COPY from a prepared statement');
  }

  handleCopyData(): void {}

  handleError(err: Error): void {
    // The schema changed under a parsed statement (a column's type): the next execution closes
    // and parses it again, so that only this one fails.
    if ((err as { code?: unknown }).code === '0A000' && /result type/.test(err.message)) this.known?.set(this.name, STALE);
    this.finish(this.failed ?? err, undefined);
  }

  handleReadyForQuery(): void {
    if (this.failed) this.finish(this.failed, undefined);
    else this.finish(undefined, { rows: this.rows ?? [], affectedRows: this.affectedRows });
  }

  /** Answers once: pg's Client may report a lost connection after the statement's own end. */
  private finish(err: Error | undefined, r: RawResult | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.done(err, r);
  }
}

/** The row count of a CommandComplete tag: `SELECT 5`, `UPDATE 1`, `INSERT 0 1` (its last word); 0 for a tag without one. */
function affectedRowsOf(tag: string): number {
  return Number(tag.slice(tag.lastIndexOf(' ') + 1)) || 0;
}
