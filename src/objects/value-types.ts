/**
 * Value kinds shared by the query compiler and the database dialects, kept on
 * the ground floor so the dialects need not import the query engine.
 */

/** The type a bound value is converted to before it reaches the database. */
export type ValueType = 'String' | 'Integer' | 'Long' | 'Decimal' | 'Boolean' | 'DateTime' | 'Enumeration' | 'Id';

/** A part of a date/time value, as XPath's and OQL's date functions take it. */
export type DatePart = 'year' | 'month' | 'day' | 'hours' | 'minutes' | 'seconds' | 'quarter' | 'day-of-year' | 'week' | 'weekday';
