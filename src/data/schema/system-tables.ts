import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialects/dialect.js';
import { bigintType } from '../dialects/ddl.js';

export const SYS = {
  entity: 'mendixsystem$entity',
  entityIdentifier: 'mendixsystem$entityidentifier',
  attribute: 'mendixsystem$attribute',
  association: 'mendixsystem$association',
  index: 'mendixsystem$index',
  indexColumn: 'mendixsystem$index_column',
  uniqueConstraint: 'mendixsystem$unique_constraint',
  sequence: 'mendixsystem$sequence',
  version: 'mendixsystem$version',
  /** Kiln's: the model versions that synchronised the schema, in order (model-history.ts). */
  modelHistory: 'mendixsystem$modelhistory',
  /** Kiln's: columns and tables a newer model removed, kept while older instances may use them (pending.ts). */
  pendingRemoval: 'mendixsystem$pendingremoval',
} as const;

/** The system tables' layout version Kiln writes to mendixsystem$version.versionnumber. */
export const SYSTEM_VERSION = '4.2';

/**
 * The system tables recording what schema synchronisation applied, with
 * Mendix's names and columns (metadata ids are UUIDs as Mendix's GUIDs).
 * Index columns name the column itself in column_id.
 */
export function systemTableStatements(k: Kysely<any>, dialect: Dialect): { sql: string; params: readonly unknown[] }[] {
  const id = (b: any) => b.addColumn('id', 'varchar(36)', (c: any) => c.notNull().primaryKey());
  const name = 'varchar(255)';
  const big = sql.raw(bigintType(dialect));
  const stmts = [
    id(k.schema.createTable(SYS.entity).ifNotExists())
      .addColumn('entity_name', name, (c: any) => c.notNull())
      .addColumn('table_name', name)
      .addColumn('superentity_id', 'varchar(36)')
      .addColumn('remote', 'boolean')
      .addColumn('remote_primary_key', 'boolean'),
    id(k.schema.createTable(SYS.entityIdentifier).ifNotExists())
      .addColumn('short_id', 'integer', (c: any) => c.notNull())
      .addColumn('object_sequence', big, (c: any) => c.notNull()),
    id(k.schema.createTable(SYS.attribute).ifNotExists())
      .addColumn('entity_id', 'varchar(36)', (c: any) => c.notNull())
      .addColumn('attribute_name', name, (c: any) => c.notNull())
      .addColumn('column_name', name, (c: any) => c.notNull())
      .addColumn('type', 'integer', (c: any) => c.notNull())
      .addColumn('length', 'integer')
      .addColumn('default_value', 'varchar(4000)')
      .addColumn('is_auto_number', 'boolean'),
    id(k.schema.createTable(SYS.association).ifNotExists())
      .addColumn('association_name', name, (c: any) => c.notNull())
      .addColumn('table_name', name, (c: any) => c.notNull())
      .addColumn('parent_entity_id', 'varchar(36)')
      .addColumn('child_entity_id', 'varchar(36)')
      .addColumn('parent_column_name', name)
      .addColumn('child_column_name', name)
      .addColumn('pk_index_name', name)
      .addColumn('index_name', name),
    id(k.schema.createTable(SYS.index).ifNotExists())
      .addColumn('table_id', 'varchar(36)', (c: any) => c.notNull())
      .addColumn('index_name', name, (c: any) => c.notNull()),
    k.schema
      .createTable(SYS.indexColumn)
      .ifNotExists()
      .addColumn('index_id', 'varchar(36)', (c: any) => c.notNull())
      .addColumn('column_id', name, (c: any) => c.notNull())
      .addColumn('sort_order', 'varchar(4)')
      .addColumn('ordinal', 'integer'),
    k.schema
      .createTable(SYS.uniqueConstraint)
      .ifNotExists()
      .addColumn('name', name, (c: any) => c.notNull())
      .addColumn('table_id', 'varchar(36)', (c: any) => c.notNull())
      .addColumn('column_id', name, (c: any) => c.notNull()),
    k.schema
      .createTable(SYS.sequence)
      .ifNotExists()
      .addColumn('attribute_id', 'varchar(36)', (c: any) => c.notNull().primaryKey())
      .addColumn('name', name)
      .addColumn('start_value', big)
      .addColumn('current_value', big),
    k.schema
      .createTable(SYS.version)
      .ifNotExists()
      .addColumn('versionnumber', 'varchar(50)')
      .addColumn('lastsyncdate', 'varchar(50)')
      .addColumn('modelversionnumber', name)
      .addColumn('mendixversion', name),
    k.schema
      .createTable(SYS.modelHistory)
      .ifNotExists()
      .addColumn('sequence', 'integer', (c: any) => c.notNull().primaryKey())
      .addColumn('fingerprint', 'varchar(64)', (c: any) => c.notNull())
      .addColumn('modelversionnumber', name)
      .addColumn('syncdate', 'varchar(50)'),
    k.schema
      .createTable(SYS.pendingRemoval)
      .ifNotExists()
      .addColumn('table_name', name, (c: any) => c.notNull())
      .addColumn('column_name', name, (c: any) => c.notNull())
      .addColumn('sequence', 'integer', (c: any) => c.notNull())
      .addColumn('description', 'varchar(400)'),
  ];
  return stmts.map((s) => {
    const c = s.compile();
    return { sql: c.sql, params: c.parameters };
  });
}
