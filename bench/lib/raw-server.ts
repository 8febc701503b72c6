import { createServer } from 'node:http';
import pg from 'pg';

/**
 * The practical limit: node:http, one pg pool, hand-written SQL (one statement per request) and
 * JSON.stringify. `GET /flat?first=N` and `GET /nested?first=N` return the same fields as the
 * gateway's `contacts(first: N)` queries of bench/compare.ts, `GET /groups?first=G&contacts=N` those
 * of its `groups(first: G) { name contacts(first: N) { … } }`, for the tenant TENANT_ID. Prints
 * "listening <port>" when ready.
 */
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const tenantId = process.env.TENANT_ID!;

const FLAT = `
  SELECT id, first_name, last_name, phone
    FROM contacts WHERE tenant_id = $1
   ORDER BY created_at DESC, id DESC LIMIT $2`;
const NESTED = `
  SELECT c.id, c.first_name, c.last_name, c.phone,
         CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object('name', s.name, 'color', s.color) END AS status,
         CASE WHEN so.id IS NULL THEN NULL ELSE json_build_object('name', so.name) END AS source,
         COALESCE((SELECT json_agg(json_build_object('name', g.name) ORDER BY g.name)
                     FROM contact_groups cg JOIN groups g ON g.tenant_id = cg.tenant_id AND g.id = cg.group_id
                    WHERE cg.tenant_id = c.tenant_id AND cg.contact_id = c.id), '[]') AS groups
    FROM contacts c
    LEFT JOIN statuses s ON s.tenant_id = c.tenant_id AND s.id = c.status_id
    LEFT JOIN sources so ON so.tenant_id = c.tenant_id AND so.id = c.source_id
   WHERE c.tenant_id = $1
   ORDER BY c.created_at DESC, c.id DESC LIMIT $2`;
/** Each group's newest contacts (as the gateway's `Group.contacts` orders them), one statement. */
const GROUPS = `
  SELECT g.name,
         COALESCE((SELECT json_agg(json_build_object('first_name', p.first_name, 'phone', p.phone,
                                   'status', CASE WHEN p.status IS NULL THEN NULL ELSE json_build_object('name', p.status) END))
                     FROM (SELECT c.first_name, c.phone, s.name AS status
                             FROM contact_groups cg
                             JOIN contacts c ON c.tenant_id = cg.tenant_id AND c.id = cg.contact_id
                             LEFT JOIN statuses s ON s.tenant_id = c.tenant_id AND s.id = c.status_id
                            WHERE cg.tenant_id = g.tenant_id AND cg.group_id = g.id
                            ORDER BY cg.contact_created_at DESC, cg.contact_id DESC LIMIT $3) p), '[]') AS contacts
    FROM groups g
   WHERE g.tenant_id = $1
   ORDER BY g.name, g.id LIMIT $2`;

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const first = Math.min(Number(url.searchParams.get('first') ?? 20) || 20, 1000);
  const contacts = Math.min(Number(url.searchParams.get('contacts') ?? 20) || 20, 1000);
  const text = { '/nested': NESTED, '/flat': FLAT, '/groups': GROUPS }[url.pathname];
  if (!text) {
    res.writeHead(404).end();
    return;
  }
  const groups = url.pathname === '/groups';
  pool.query(text, groups ? [tenantId, first, contacts] : [tenantId, first]).then(
    (result) => {
      const data = groups
        ? { groups: { nodes: result.rows } }
        : { contacts: { nodes: result.rows } };
      const body = JSON.stringify({ data });
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    },
    (error: Error) => res.writeHead(500).end(error.message),
  );
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' ? address?.port : address}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void pool.end().finally(() => process.exit(0));
});
