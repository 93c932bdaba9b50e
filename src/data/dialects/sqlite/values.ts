import { makeValueCodecs } from '../value-codecs.js';

/**
 * SQLite: ids and Longs as 64-bit INTEGERs (bound and read as bigints),
 * Decimals as sortable fixed-width text (decimal-format.ts), Booleans as 0/1,
 * DateTimes as epoch milliseconds.
 */
export const sqliteValues = makeValueCodecs({ bigintsAsIs: true, sortableDecimals: true, booleansAsBits: true, dateTimesAsEpochMs: true });
