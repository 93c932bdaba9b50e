import type { DriverAdapter, DriverOptions } from './driver.js';
import type { ParsedUrl } from './url.js';
import { openSqlite } from './sqlite-driver.js';
import { openPostgres } from './postgres-driver.js';
import { openMysql } from './mysql-driver.js';

export { placeholder, quoteIdentifier } from './names.js';

export async function openDriver(url: ParsedUrl, opts: DriverOptions): Promise<DriverAdapter> {
  switch (url.dialect) {
    case 'sqlite': return openSqlite(url.target, url.display, opts);
    case 'postgres': return openPostgres(url.target, opts);
    case 'mysql': return openMysql(url.target, opts);
  }
}
