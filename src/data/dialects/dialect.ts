import type { AttributeType } from '../../model/compiled/types.js';
import type { AttributeValue } from '../../objects/values.js';
import type { DriverAdapter, DriverOptions } from './driver.js';
import type { QuerySyntax } from './query-syntax.js';

/**
 * Everything that differs between the databases Kiln runs on, as one object
 * per database: `sqlite/`, `postgres/` and `mysql/` each export one, and
 * `registry.ts` maps URL schemes to them (loaded on first use). The rest of
 * the runtime holds a `Dialect` (a database's `dialect` property) and asks it;
 * nothing outside this folder compares dialect names. The database driver is
 * not part of the object: `open` imports it, so code that never opens a
 * database (`kiln check`, the query compiler) loads no driver.
 */
export interface Dialect {
  /** `sqlite`, `postgres` or `mysql`: for messages, logs and cache keys only. */
  readonly name: string;

  // --- URLs and the driver

  /** The driver's target (sqlite: the file path) and the URL for messages (password hidden); throws a UserError when malformed. */
  parseUrl(url: string): { readonly target: string; readonly display: string };
  /** Opens a pool (or connection) to `target`, importing the driver module on first use. */
  open(target: string, display: string, opts: DriverOptions): Promise<DriverAdapter>;
  /**
   * For previews that must not create anything (`kiln ddl`): the URL to open
   * instead of `target` when opening it would create the database (SQLite: a
   * file that does not exist yet is previewed as an empty in-memory database).
   */
  previewStandIn?(target: string): string | undefined;

  // --- SQL text

  /** A double-quoted identifier (MariaDB runs with ANSI_QUOTES, so all three quote alike). */
  quote(name: string): string;
  /** The placeholder for the 1-based parameter `index`: `$1` on PostgreSQL, `?` elsewhere. */
  placeholder(index: number): string;
  /** Largest number of bound parameters put in one statement (below the driver's limit). */
  readonly maxParams: number;
  /** What the query engine's SQL compiler needs (see query-syntax.ts). */
  readonly query: QuerySyntax;

  // --- schema (DDL)

  /** The SQL column type of an attribute (see `values` for what is stored). */
  columnType(type: AttributeType, length: number): string;
  /** The id column: 64-bit (SQLite: INTEGER, so that `INTEGER PRIMARY KEY` is the rowid). */
  readonly idColumnType: string;
  /** Columns holding ids (association ends, owner, changedBy). */
  readonly bigintType: string;
  /** An SQL expression converting column `col` between attribute types, for in-place conversions. */
  convertExpression(from: AttributeType, to: AttributeType, col: string): string;
  /** The function giving a string's length in characters (narrowing checks). */
  readonly lengthFunction: string;
  /** A query listing the named table if it exists (one parameter: the table name). */
  readonly tableExistsQuery: string;
  /** A query listing every table of the database (of the current schema) as `name`, without parameters. */
  readonly tablesQuery: string;
  /**
   * Taking and giving back the schema lock, so that two instances starting at
   * once do not both apply the DDL; no `acquire` where the transaction's own
   * write lock already is one (SQLite).
   */
  readonly schemaLock: SchemaLock;

  // --- capabilities

  /**
   * One connection for everything (SQLite): a transaction begun inside another
   * becomes a savepoint of it, the current transaction is tracked per async
   * flow, and there is no separate connection for independent transactions.
   */
  readonly singleConnection: boolean;
  /** Whether DDL takes part in the transaction (MariaDB commits implicitly at each DDL statement). */
  readonly transactionalDdl: boolean;
  /** Whether DROP INDEX names the table (MariaDB). */
  readonly dropIndexNamesTable: boolean;
  /**
   * Statements run right after BEGIN in a transaction that must not be cut
   * short by the statement and lock timeouts (schema synchronisation: a table
   * rewrite, the schema lock another instance holds). The transaction's
   * connection is discarded afterwards, so a session-wide setting never
   * reaches request work. Empty where the timeouts cannot bite (SQLite).
   */
  readonly liftTimeouts: readonly string[];
  /** Whether a failed statement aborts the transaction (PostgreSQL); elsewhere it carries on. */
  readonly failedStatementAbortsTransaction: boolean;
  /**
   * One UPDATE for `rows` rows, joining the table with bound rows of new
   * values (each row: the id, then one value per column; `p` gives the next
   * placeholder). Undefined where a statement per row costs nothing more
   * (SQLite: no round trips).
   */
  batchUpdate?(table: string, columns: readonly BatchColumn[], rows: number, p: () => string): string;

  // --- values

  readonly values: ValueCodecs;

  // --- errors

  /** Driver errors that callers act on (unique violations, lost connections) as typed errors; the rest unchanged. */
  translateError(err: unknown): unknown;
}

export interface SchemaLock {
  readonly acquire?: string;
  readonly release?: string;
}

export interface BatchColumn {
  readonly column: string;
  readonly type: AttributeType;
}

export type ValueDecoder = (raw: unknown) => AttributeValue;
export type ValueEncoder = (v: AttributeValue) => unknown;

/**
 * How attribute values are stored on one database, both ways (built by
 * `makeValueCodecs` in value-codecs.ts from the database's stored forms).
 */
export interface ValueCodecs {
  encodeValue(type: AttributeType, name: string, v: AttributeValue, maxLength?: number): unknown;
  decodeValue(type: AttributeType, raw: unknown): AttributeValue;
  encodeId(id: bigint): unknown;
  /** `decodeValue` specialised for one type (the common driver forms first), for per-row hot paths. */
  decoderFor(type: AttributeType): ValueDecoder;
  /** `encodeValue` specialised for one type and attribute, chosen once per column. */
  encoderFor(type: AttributeType, name: string, maxLength?: number): ValueEncoder;
  /**
   * Facts the tuned INSERT loop binds inline instead of calling an encoder:
   * ids and Longs bound as bigints (else as text), Booleans as 0/1, DateTimes as epoch milliseconds.
   */
  readonly bigintsAsIs: boolean;
  readonly booleansAsBits: boolean;
  readonly dateTimesAsEpochMs: boolean;
}
