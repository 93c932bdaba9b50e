// The reference: a minimal Fastify 5 + node-postgres server (the shape of
// shared/bench-anchors/baseline/server.js) sending exactly the statements Kiln
// sends for the same requests, on the same table, with named (prepared)
// statements and a pool of the same size. Nothing else: no sessions, no
// security, no model.
//   GET   /employees           -> first 20 by firstname, id + COUNT(*)
//   PATCH /employees/:id {jobtitle} -> BEGIN; SELECT by id; UPDATE one column; COMMIT
import Fastify from 'fastify';
import pg from 'pg';

const url = process.env.DATABASE_URL;
const port = Number(process.env.PORT);
const pool = new pg.Pool({ connectionString: url, max: Number(process.env.POOL_MAX || 10) });
const T = '"myfirstmodule$employee"';
const COLS = '"id", "dateofbirth", "department", "firstname", "jobtitle", "lastname"';
const Q = {
  list: { name: 'emp_list', text: `SELECT ${COLS} FROM ${T} ORDER BY "firstname" ASC, "id" ASC LIMIT 20` },
  count: { name: 'emp_count', text: `SELECT COUNT(*) FROM ${T}` },
  byId: { name: 'emp_by_id', text: `SELECT ${COLS} FROM ${T} WHERE "id" = $1` },
  update: { name: 'emp_upd_jobtitle', text: `UPDATE ${T} SET "jobtitle" = $1 WHERE "id" = $2` },
};

const app = Fastify({ logger: false });
app.get('/employees', async () => {
  // As the anchors' baseline: the two statements at once, on two pooled connections.
  const [list, count] = await Promise.all([pool.query({ ...Q.list, values: [] }), pool.query({ ...Q.count, values: [] })]);
  return { count: Number(count.rows[0].count), value: list.rows };
});
app.patch('/employees/:id', async (req, reply) => {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const r = await c.query({ ...Q.byId, values: [req.params.id] });
    if (r.rowCount === 0) {
      await c.query('ROLLBACK');
      return reply.code(404).send({ error: 'not found' });
    }
    await c.query({ ...Q.update, values: [req.body.jobtitle, req.params.id] });
    await c.query('COMMIT');
    return { ...r.rows[0], jobtitle: req.body.jobtitle };
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    c.release();
  }
});
await app.listen({ port, host: '127.0.0.1' });
for (const s of ['SIGINT', 'SIGTERM'])
  process.on(s, () =>
    app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
  );
