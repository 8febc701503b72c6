import { type Kysely, sql } from 'kysely';

// Leaky buckets for rate limiting (src/limits/rate-limit.ts), kept here so that every instance
// draws on the same budget. One row per (tenant, bucket): `token:<id>` and `admin` for query cost,
// `sends` for messages per second. `available` is the level at `updated_at`; the refill since then
// is computed in the statement that takes from it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_limit_buckets')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('available', 'float8', (c) => c.notNull())
    .addColumn('granted', 'boolean', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('rate_limit_buckets_pkey', ['tenant_id', 'bucket'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limit_buckets').execute();
}
