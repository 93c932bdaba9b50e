import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { createTableIfMissing, placeholder, quoteIdentifier, UniqueViolationError, type Database, type Transaction } from '../data/index.js';
import type { UserContext } from '../security/user-context.js';
import type { BackendTx } from './backend.js';
import { ClientApiError } from './errors.js';

/** Table of the remembered answers: the data layer's own, like the deployment secret's (no entity of the model). */
const TABLE = 'kiln$idempotency';
/** The request header naming one user action; the client sends the same key again when it retries. */
const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Set on an answer replayed from the database rather than computed again. */
export const REPLAYED_HEADER = 'idempotent-replayed';
/** Printable ASCII without spaces, 1 to 200 characters (a UUID is 36). */
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/** A first answer, as it was sent. */
export interface RememberedAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * One keyed request's record, used by the operation's transaction: `claim`
 * is its first statement (a concurrent duplicate's claim waits on the row
 * until this transaction ends), `store` its last (the answer, committed with
 * the work or not at all).
 */
export interface OnceRecord {
  claim(tx: BackendTx): Promise<void>;
  store(tx: BackendTx, status: number, body: string): Promise<void>;
}

/** The key's record was written by another request (committed while this one waited): answer with its answer. */
export class AlreadyDone extends Error {
  constructor() {
    super('a request with this Idempotency-Key has been done already');
    this.name = 'AlreadyDone';
  }
}

/** The `Idempotency-Key` header, checked: undefined without one; 400 when malformed. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const raw = request.headers[IDEMPOTENCY_HEADER];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !KEY_PATTERN.test(raw)) {
    throw new ClientApiError(400, 'malformed request: the Idempotency-Key header must be 1 to 200 printable characters without spaces', {
      field: 'Idempotency-Key',
    });
  }
  return raw;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Remembers, per (user or session, Idempotency-Key), the first answer of a
 * state-changing runtime operation together with a fingerprint of its
 * request, in the database (so every instance sees it) and in the same
 * transaction as the operation's writes. Rows expire after `ttlMs`
 * (IdempotencyKeyTtl); `cleanUp` deletes them.
 */
export class IdempotencyStore {
  private readonly t: string;
  private readonly c: { id: string; fingerprint: string; status: string; body: string; expires: string };

  private constructor(
    private readonly db: Database,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {
    const q = (n: string) => quoteIdentifier(db.dialect, n);
    this.t = q(TABLE);
    this.c = { id: q('id'), fingerprint: q('fingerprint'), status: q('status'), body: q('body'), expires: q('expires') };
  }

  /** Creates the table when it is missing (every instance at start-up; a concurrent creation by another one is fine). */
  static async open(db: Database, ttlMs: number, now: () => number = Date.now): Promise<IdempotencyStore> {
    const s = new IdempotencyStore(db, ttlMs, now);
    const { id, fingerprint, status, body, expires } = s.c;
    const text = db.dialect.columnType('String', 0);
    await createTableIfMissing(
      db,
      TABLE,
      `CREATE TABLE IF NOT EXISTS ${s.t} (${id} VARCHAR(64) NOT NULL PRIMARY KEY, ${fingerprint} VARCHAR(64) NOT NULL, ` +
        `${status} INTEGER NULL, ${body} ${text} NULL, ${expires} ${db.dialect.bigintType} NOT NULL)`,
    );
    return s;
  }

  /**
   * The record's id: the key within its scope — the user when there is one,
   * else the session — hashed, so that neither keys nor session ids are
   * stored and another user's equal key is another record.
   */
  recordId(user: UserContext, key: string): string {
    const scope = user.userId !== null ? `user:${user.userId}` : user.sessionId !== null ? `session:${user.sessionId}` : 'open';
    return sha256(`${scope}\n${key}`);
  }

  /** The request's fingerprint: its body as sent (a retry sends the same bytes). */
  fingerprint(body: unknown): string {
    return sha256(JSON.stringify(body));
  }

  /**
   * The answer remembered for the record, if any. Throws 422 when the key was
   * used for another request, 409 when its first request is still running (a
   * claim seen without an answer). An expired record is deleted, as if absent.
   */
  async find(recordId: string, fingerprint: string): Promise<RememberedAnswer | undefined> {
    const { id, status, body, expires } = this.c;
    const rows = await this.db.query<{ fp: string; status: number | null; body: string | null; expires: unknown }>(
      `SELECT ${this.c.fingerprint} AS ${quoteIdentifier(this.db.dialect, 'fp')}, ${status} AS ${status}, ${body} AS ${body}, ${expires} AS ${expires} FROM ${this.t} WHERE ${id} = ${placeholder(this.db.dialect, 1)}`,
      [recordId],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (Number(row.expires) <= this.now()) {
      await this.db.execute(`DELETE FROM ${this.t} WHERE ${id} = ${placeholder(this.db.dialect, 1)} AND ${expires} <= ${placeholder(this.db.dialect, 2)}`, [
        recordId,
        this.now(),
      ]);
      return undefined;
    }
    if (row.fp !== fingerprint) throw new ClientApiError(422, 'this Idempotency-Key was used for a different request', { field: 'Idempotency-Key' });
    if (row.status === null || row.body === null)
      throw new ClientApiError(409, 'a request with this Idempotency-Key is still in progress', { field: 'Idempotency-Key' });
    return { status: Number(row.status), body: row.body };
  }

  /** The record a keyed request claims and answers in its transaction. */
  once(recordId: string, fingerprint: string): OnceRecord {
    const { id, status, body, expires } = this.c;
    const p = (i: number) => placeholder(this.db.dialect, i);
    return {
      claim: async (tx) => {
        try {
          await (tx as unknown as Transaction).execute(`INSERT INTO ${this.t} (${id}, ${this.c.fingerprint}, ${expires}) VALUES (${p(1)}, ${p(2)}, ${p(3)})`, [
            recordId,
            fingerprint,
            this.now() + this.ttlMs,
          ]);
        } catch (e) {
          if (e instanceof UniqueViolationError) throw new AlreadyDone();
          throw e;
        }
      },
      store: async (tx, s, b) => {
        await (tx as unknown as Transaction).execute(`UPDATE ${this.t} SET ${status} = ${p(1)}, ${body} = ${p(2)} WHERE ${id} = ${p(3)}`, [s, b, recordId]);
      },
    };
  }

  /** Deletes the expired records; returns how many. */
  async cleanUp(): Promise<number> {
    const r = await this.db.execute(`DELETE FROM ${this.t} WHERE ${this.c.expires} <= ${placeholder(this.db.dialect, 1)}`, [this.now()]);
    return r.affectedRows;
  }
}
