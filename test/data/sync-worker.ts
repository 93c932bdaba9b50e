// Run by sync.test.ts as a separate process: synchronises the schema of the
// persistence test model against the database URL given and prints how many
// statements it ran.
import { openDatabase, syncSchema } from '../../src/data/index.js';
import { modelOf, PERSISTENCE_MODEL, quietLog } from './support.js';

const db = await openDatabase(process.argv[2]!, { log: quietLog });
try {
  const r = await syncSchema(db, await modelOf(PERSISTENCE_MODEL), { allowDestructive: false, log: quietLog });
  process.stdout.write(`${r.statements.length}\n`);
} finally {
  await db.close();
}
