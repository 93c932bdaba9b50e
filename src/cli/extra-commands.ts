/** Commands that components add (ddl, explain, ...): name -> handler(args) -> exit code. */
export const EXTRA_COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  // Loaded on use: the database drivers stay out of `kiln check`.
  ddl: async (args) => (await import('./ddl-command.js')).runDdl(args),
  explain: async (args) => (await import('./explain-command.js')).runExplain(args),
  import: async (args) => (await import('./import-command.js')).runImport(args),
};
