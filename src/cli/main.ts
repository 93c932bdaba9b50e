import { parseArgs } from 'node:util';
import { UserError } from '../model/diagnostics.js';
import { runCheck } from './check-command.js';

const USAGE = `Usage: kiln <command> [options]

Commands:
  check <app> [--format text|json|github]
                                  check the app model; print every problem (exit 1 on errors)
  dev <app> [--db URL] [--port N] [--host H]
                                  run the app, re-check on every save and swap in a valid model
  new <dir> [--name App]          write a starter app (one entity, two pages, a microflow, two roles)
  run <app> [--db URL] [--port N] [--host H] [--deployment-dir DIR] [--settings FILE]
                                  check the model and start the runtime
  schema <dir>                    write the JSON Schemas of the model files to <dir>

See docs/ for the model reference and settings.`;

type Command = (args: string[]) => Promise<number>;

// The others are loaded on use: `kiln check` does not evaluate the web server, the database
// drivers and the runtime's components (a fifth of its time on a large model).
const COMMANDS: Record<string, Command> = {
  check: runCheck,
  dev: async (args) => (await import('./dev-command.js')).runDev(args),
  new: async (args) => (await import('./new-command.js')).runNew(args),
  run: async (args) => (await import('./run-command.js')).runRun(args),
  schema: async (args) => (await import('./schema-command.js')).runSchema(args),
};

/** Registers a further command (later components add ddl, explain, ...). */
export function registerCommand(name: string, cmd: Command): void {
  COMMANDS[name] = cmd;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return cmd ? 0 : 1;
  }
  await loadExtraCommands();
  const fn = COMMANDS[cmd];
  if (!fn) {
    process.stderr.write(`kiln: unknown command '${cmd}'\n${USAGE}\n`);
    return 1;
  }
  try {
    return await fn(rest);
  } catch (e) {
    if (e instanceof UserError || isArgError(e)) {
      process.stderr.write(`kiln ${cmd}: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}

function isArgError(e: unknown): boolean {
  return e instanceof TypeError && typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).code!.startsWith('ERR_PARSE_ARGS');
}

/** Commands contributed by components, loaded lazily so `kiln check` stays fast. */
async function loadExtraCommands(): Promise<void> {
  const mod = await import('./extra-commands.js');
  for (const [name, cmd] of Object.entries(mod.EXTRA_COMMANDS)) COMMANDS[name] = cmd;
}

export { parseArgs };
