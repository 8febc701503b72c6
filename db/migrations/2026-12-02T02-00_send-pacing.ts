import { type Kysely, sql } from 'kysely';

// Each tenant's next free send slot (src/messages/claim.ts): the dispatchers give every claimed
// Cloud API message a slot 1/SEND_RATE_LIMIT_MPS s after the tenant's previous one, so a tenant's
// sends go out no faster than its rate, whichever dispatcher sends them. Soft state, unlogged like
// the rate-limit buckets: after a PostgreSQL crash it comes back empty, and the next claims start
// from now (at worst one second's worth of a tenant's sends in one burst).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create unlogged table send_pacing (
    tenant_id uuid primary key references tenants (id) on delete cascade,
    next_slot timestamptz not null
  )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table send_pacing`.execute(db);
}
