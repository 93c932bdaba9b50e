import type { AttributeValue } from '../objects/values.js';

/**
 * How security creates System objects (users, user roles, sessions): through
 * the data layer, which allocates ids, fills system members and writes the
 * association tables. Reads, counters and deletes use fixed SQL instead.
 */
export interface ObjectWriter {
  create(
    entity: string,
    values: Readonly<Record<string, AttributeValue>>,
    references?: Readonly<Record<string, bigint | readonly bigint[] | null>>,
  ): Promise<bigint>;
}
