import { type Kysely, sql } from 'kysely';

// Tenants, their API tokens and the first resource (statuses). Every tenant-owned table carries
// `tenant_id` and a UNIQUE (tenant_id, id), so other tables can reference it with a composite
// foreign key that makes cross-tenant references impossible in the database itself.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('subdomain', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('api_enabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('admin_key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'tenants_subdomain_format',
      sql`subdomain ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'`,
    )
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_hint', 'text', (c) => c.notNull())
    .addColumn('abilities', sql`text[]`, (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addUniqueConstraint('api_tokens_tenant_id_id', ['tenant_id', 'id'])
    .execute();
  await db.schema
    .createIndex('api_tokens_tenant_created')
    .on('api_tokens')
    .columns(['tenant_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('statuses')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('color', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('statuses_tenant_id_id', ['tenant_id', 'id'])
    .execute();
  await sql`CREATE UNIQUE INDEX statuses_tenant_name ON statuses (tenant_id, lower(name))`.execute(
    db,
  );
  await db.schema
    .createIndex('statuses_tenant_created')
    .on('statuses')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('statuses').execute();
  await db.schema.dropTable('api_tokens').execute();
  await db.schema.dropTable('tenants').execute();
}
