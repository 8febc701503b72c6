import { type Kysely, sql } from 'kysely';

// The tenant's WhatsApp Cloud API connection, its message templates (mirrored from Meta by
// syncTemplates) and the two kinds of auto-reply bots.
// - whatsapp_connections: one per tenant; phone_number_id is unique across tenants because a
//   webhook names only the phone number and must map to exactly one tenant. The access token is
//   stored AES-256-GCM encrypted, never in plaintext.
// - templates: keyed by (tenant_id, meta_id); a template Meta no longer lists is flagged
//   (removed_at), not deleted, so bots and sent messages keep their reference.
// - template_bots reference templates through (tenant_id, template_id), so a bot can never point
//   at another tenant's template.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('whatsapp_connections')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) =>
      c.notNull().unique().references('tenants.id').onDelete('cascade'),
    )
    .addColumn('phone_number_id', 'text', (c) => c.notNull())
    .addColumn('waba_id', 'text', (c) => c.notNull())
    .addColumn('access_token_ciphertext', 'text', (c) => c.notNull())
    .addColumn('access_token_hint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('whatsapp_connections_tenant_id_id', ['tenant_id', 'id'])
    .addUniqueConstraint('whatsapp_connections_phone_number_id', ['phone_number_id'])
    .execute();

  await db.schema
    .createTable('templates')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('meta_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('components', 'jsonb', (c) => c.notNull())
    .addColumn('body_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('rejected_reason', 'text')
    .addColumn('removed_at', 'timestamptz')
    .addColumn('synced_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('templates_tenant_id_id', ['tenant_id', 'id'])
    .addUniqueConstraint('templates_tenant_meta_id', ['tenant_id', 'meta_id'])
    .execute();
  // Meta keeps (name, language) unique per WhatsApp Business Account; a send names a template so.
  await sql`CREATE UNIQUE INDEX templates_tenant_name_language ON templates (tenant_id, name, language)
    WHERE removed_at IS NULL`.execute(db);
  await db.schema
    .createIndex('templates_tenant_name')
    .on('templates')
    .columns(['tenant_id', 'name', 'id'])
    .execute();

  await db.schema
    .createTable('message_bots')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('trigger_type', 'text', (c) =>
      c.notNull().check(sql`trigger_type IN ('EXACT_MATCH', 'CONTAINS', 'FIRST_MESSAGE')`),
    )
    .addColumn('keywords', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('reply_type', 'text', (c) =>
      c.notNull().check(sql`reply_type IN ('TEXT', 'MEDIA', 'BUTTONS', 'CTA_URL')`),
    )
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('message_bots_tenant_id_id', ['tenant_id', 'id'])
    .execute();
  await sql`CREATE UNIQUE INDEX message_bots_tenant_name ON message_bots (tenant_id, lower(name))`.execute(
    db,
  );
  await db.schema
    .createIndex('message_bots_tenant_name_id')
    .on('message_bots')
    .columns(['tenant_id', 'name', 'id'])
    .execute();

  await db.schema
    .createTable('template_bots')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('trigger_type', 'text', (c) =>
      c.notNull().check(sql`trigger_type IN ('EXACT_MATCH', 'CONTAINS', 'FIRST_MESSAGE')`),
    )
    .addColumn('keywords', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('template_id', 'uuid', (c) => c.notNull())
    .addColumn('parameters', 'jsonb', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('template_bots_tenant_id_id', ['tenant_id', 'id'])
    .addForeignKeyConstraint(
      'template_bots_template_fk',
      ['tenant_id', 'template_id'],
      'templates',
      ['tenant_id', 'id'],
    )
    .execute();
  await sql`CREATE UNIQUE INDEX template_bots_tenant_name ON template_bots (tenant_id, lower(name))`.execute(
    db,
  );
  await db.schema
    .createIndex('template_bots_tenant_name_id')
    .on('template_bots')
    .columns(['tenant_id', 'name', 'id'])
    .execute();
  await db.schema
    .createIndex('template_bots_tenant_template')
    .on('template_bots')
    .columns(['tenant_id', 'template_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('template_bots').execute();
  await db.schema.dropTable('message_bots').execute();
  await db.schema.dropTable('templates').execute();
  await db.schema.dropTable('whatsapp_connections').execute();
}
