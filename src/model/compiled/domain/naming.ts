/** Qualified names and the table and column names the model maps to. */

/** Resolves `Name` (in `module`) or `Module.Name` to a qualified name. */
export function qualify(name: string, module: string): string {
  return name.includes('.') ? name : `${module}.${name}`;
}

export function tableName(qualified: string): string {
  return qualified.replace('.', '$').toLowerCase();
}

/** An attribute's column: its name in lower case (names are case-insensitive in the database). */
export function attributeColumn(attribute: string): string {
  return attribute.toLowerCase();
}

/** The id columns of an association table; a self-association numbers them 1 (parent) and 2 (child). */
export function associationColumns(parent: string, child: string): { parentColumn: string; childColumn: string } {
  const self = parent === child;
  return { parentColumn: `${tableName(parent)}id${self ? '1' : ''}`, childColumn: `${tableName(child)}id${self ? '2' : ''}` };
}

/** The name of an index that gives none. */
export function defaultIndexName(table: string, columns: readonly string[]): string {
  return `idx_${table}_${columns.join('_')}`;
}
