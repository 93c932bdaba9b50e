import { makeValueCodecs } from '../value-codecs.js';

/**
 * PostgreSQL: ids and Longs as BIGINT (bound and read as text), Decimals as
 * NUMERIC(28,8) (plain text), Booleans as BOOLEAN, DateTimes as TIMESTAMP
 * holding UTC (bound as UTC text, read as Dates by the driver's type parser).
 */
export const postgresValues = makeValueCodecs({ bigintsAsIs: false, sortableDecimals: false, booleansAsBits: false, dateTimesAsEpochMs: false });
