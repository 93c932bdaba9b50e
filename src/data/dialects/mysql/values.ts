import type { ValueEncoder } from '../dialect.js';
import { makeValueCodecs } from '../value-codecs.js';

const MYSQL_MIN_DATE = Date.UTC(1000, 0, 1);
const MYSQL_END_DATE = Date.UTC(10000, 0, 1);

/**
 * MariaDB: ids and Longs as BIGINT (bound and read as text), Decimals as
 * DECIMAL(28,8) (plain text), Booleans as TINYINT(1) 0/1, DateTimes as
 * DATETIME(3) holding UTC.
 */
export const mysqlValues = makeValueCodecs({
  bigintsAsIs: false,
  sortableDecimals: false,
  booleansAsBits: true,
  dateTimesAsEpochMs: false,
  // mysql2 binds a Date as a binary DATETIME in UTC (the pool's timezone 'Z'), milliseconds
  // included: no text to format and parse. Dates outside DATETIME's years go the general way.
  dateTimeEncoder:
    (general: ValueEncoder): ValueEncoder =>
    (v) =>
      v instanceof Date && v.getTime() >= MYSQL_MIN_DATE && v.getTime() < MYSQL_END_DATE ? v : general(v),
});
