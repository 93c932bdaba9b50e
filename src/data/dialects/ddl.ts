import type { AttributeType } from '../../model/compiled/types.js';
import type { Dialect, SchemaLock } from './dialect.js';

/**
 * Call forms of the dialect's schema (DDL) specifics, for the schema planner:
 * each is written in the dialect's folder (`<db>/ddl.ts`).
 */

export function columnType(dialect: Dialect, type: AttributeType, length: number): string {
  return dialect.columnType(type, length);
}

export function idColumnType(dialect: Dialect): string {
  return dialect.idColumnType;
}

export function bigintType(dialect: Dialect): string {
  return dialect.bigintType;
}

export function convertExpression(dialect: Dialect, from: AttributeType, to: AttributeType, col: string): string {
  return dialect.convertExpression(from, to, col);
}

export function lengthFunction(dialect: Dialect): string {
  return dialect.lengthFunction;
}

export function schemaLock(dialect: Dialect): SchemaLock {
  return dialect.schemaLock;
}

export function tableExistsQuery(dialect: Dialect): string {
  return dialect.tableExistsQuery;
}

export function tablesQuery(dialect: Dialect): string {
  return dialect.tablesQuery;
}

export function dropIndexNamesTable(dialect: Dialect): boolean {
  return dialect.dropIndexNamesTable;
}

export function failedStatementAbortsTransaction(dialect: Dialect): boolean {
  return dialect.failedStatementAbortsTransaction;
}

/** The string-like attribute types (stored as text), for the conversions of `convertExpression`. */
export const STRING_TYPES: readonly AttributeType[] = ['String', 'HashedString', 'Enumeration'];
