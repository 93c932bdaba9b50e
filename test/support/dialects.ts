import type { Dialect } from '../../src/data/dialects/dialect.js';
import { mysql } from '../../src/data/dialects/mysql/index.js';
import { postgres } from '../../src/data/dialects/postgres/index.js';
import { sqlite } from '../../src/data/dialects/sqlite/index.js';
import type { DialectName } from './databases.js';

/** The dialect objects by name, for tests that compile SQL or encode values without a database. */
export const DIALECT: Record<DialectName, Dialect> = { sqlite, postgres, mysql };
