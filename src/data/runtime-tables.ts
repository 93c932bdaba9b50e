import type { Database } from './database.js';

/**
 * Creates a table the runtime keeps for itself (deployment secret, cluster
 * lease, idempotency keys) when it is missing. Every instance runs this at
 * start-up; on PostgreSQL two `CREATE TABLE IF NOT EXISTS` running at once can
 * still fail in the loser ("type ... already exists", a unique violation on
 * pg_type), so a failure is accepted when the table exists afterwards.
 */
export async function createTableIfMissing(db: Database, table: string, createSql: string): Promise<void> {
  try {
    await db.execute(createSql, []);
  } catch (e) {
    const exists = (await db.query(db.dialect.tableExistsQuery, [table])).length > 0;
    if (!exists) throw e;
  }
}
