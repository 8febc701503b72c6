import pg from 'pg';

/** Contacts the read benchmarks seed. */
export const CONTACTS = 10_000;

/** Groups the read benchmarks seed: 20 groups' pages of 20 contacts are the nested connection. */
export const GROUPS = 25;

/**
 * Seeds the demo tenant with plain SQL: 5 statuses, 7 sources, 25 groups, 10,000 contacts, each in
 * one group and every other one in two (600 contacts per group).
 */
export async function seedSql(url: string): Promise<string> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const tenant = await db.query<{ id: string }>(
      `SELECT id FROM tenants WHERE subdomain = 'demo'`,
    );
    const tenantId = tenant.rows[0]!.id;
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO statuses (tenant_id, name, color)
       SELECT $1, n, c FROM unnest($2::text[], $3::text[]) AS t(n, c)`,
      [
        tenantId,
        ['New', 'Contacted', 'Qualified', 'Customer', 'Lost'],
        ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'],
      ],
    );
    await db.query(`INSERT INTO sources (tenant_id, name) SELECT $1, unnest($2::text[])`, [
      tenantId,
      ['Website', 'Facebook ad', 'Instagram', 'Referral', 'Trade fair', 'Click-to-chat', 'Cold'],
    ]);
    await db.query(`INSERT INTO groups (tenant_id, name) SELECT $1, unnest($2::text[])`, [
      tenantId,
      [
        ...['Newsletter', 'VIP customers', 'Black Friday', 'Webinar', 'Abandoned cart'],
        'Beta testers',
        ...Array.from(
          { length: GROUPS - 6 },
          (_, i) => `Segment ${String(i + 1).padStart(2, '0')}`,
        ),
      ],
    ]);
    // Every contact has a status and a source; each is in one group, every other one in two.
    await db.query(
      `WITH s AS (SELECT array_agg(id ORDER BY name) a FROM statuses WHERE tenant_id = $1),
            o AS (SELECT array_agg(id ORDER BY name) a FROM sources WHERE tenant_id = $1)
       INSERT INTO contacts (tenant_id, first_name, last_name, company, email, phone, country,
                             status_id, source_id, created_at)
       SELECT $1, 'Contact ' || i, (ARRAY['Smith','Jones','Patel','Garcia'])[i % 4 + 1],
              CASE WHEN i % 3 = 0 THEN 'Acme Ltd' END, 'contact' || i || '@example.com',
              '+4474' || lpad((i * 10 + 1)::text, 8, '0'), 'GB',
              s.a[i % 5 + 1], o.a[i % 7 + 1], now() - make_interval(secs => i)
         FROM generate_series(0, $2 - 1) i, s, o`,
      [tenantId, CONTACTS],
    );
    await db.query(
      `WITH g AS (SELECT array_agg(id ORDER BY name) a FROM groups WHERE tenant_id = $1),
            c AS (SELECT id, row_number() OVER (ORDER BY created_at) n FROM contacts WHERE tenant_id = $1)
       INSERT INTO contact_groups (tenant_id, group_id, contact_id)
       SELECT $1, g.a[c.n % $2 + 1], c.id FROM c, g
       UNION ALL
       SELECT $1, g.a[(c.n + 1) % $2 + 1], c.id FROM c, g WHERE c.n % 2 = 0`,
      [tenantId, GROUPS],
    );
    await db.query('COMMIT');
    // Statistics and the visibility map, as autovacuum would leave them: otherwise autovacuum
    // runs during the first measured rounds, and index-only scans visit the heap until it has.
    await db.query('VACUUM ANALYZE');
    return tenantId;
  } finally {
    await db.end();
  }
}

/**
 * Seeds `count` messages of the demo tenant as the dispatcher leaves them, SENT with a wamid and
 * their QUEUED and SENT history, for the status webhooks of a benchmark. `label`, when given, is
 * each message's idempotency key prefix (`<label>-<i>`), so one run's messages can be told apart.
 */
export async function seedSentMessages(
  db: pg.Client,
  count: number,
  label: string | null = null,
): Promise<{ id: string; wamid: string }[]> {
  const { rows } = await db.query<{ id: string; wamid: string }>(
    `WITH m AS (
       INSERT INTO messages (tenant_id, to_phone, type, content, transport, status, wamid,
                             attempts, sent_at, idempotency_key)
       SELECT t.id, '+4474' || lpad((i * 10 + 1)::text, 8, '0'), 'TEXT',
              jsonb_build_object('body', 'Bench message ' || i, 'previewUrl', false), 'cloud',
              'SENT', 'wamid.BENCH' || md5(random()::text || i), 1, now(),
              CASE WHEN $2::text IS NULL THEN NULL ELSE $2 || '-' || i END
         FROM tenants t, generate_series(1, $1::int) i
        WHERE t.subdomain = 'demo'
       RETURNING id, tenant_id, wamid, created_at
     ), h AS (
       INSERT INTO message_status_events (tenant_id, message_id, status, previous_status,
                                          occurred_at, source)
       SELECT tenant_id, id, 'QUEUED', NULL, created_at, 'api' FROM m
       UNION ALL
       SELECT tenant_id, id, 'SENT', 'QUEUED', created_at, 'dispatcher' FROM m
     )
     SELECT id, wamid FROM m`,
    [count, label],
  );
  return rows;
}
