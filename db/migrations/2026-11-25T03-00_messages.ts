import { type Kysely, sql } from 'kysely';

// Outgoing WhatsApp messages (the outbox) and their delivery status history.
// - A message keeps its recipient phone, so deleting the contact (contact_id → NULL) keeps history.
// - (tenant_id, idempotency_key) is unique: a retried send returns the first message.
// - wamid is unique: a webhook status names exactly one message.
// - The dispatcher claims QUEUED rows with FOR UPDATE SKIP LOCKED and a lease (claimed_until);
//   sending_started_at marks a send whose outcome is in doubt after a crash (see dispatcher.ts).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('contact_id', 'uuid')
    .addColumn('to_phone', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type IN ('TEXT', 'MEDIA', 'TEMPLATE')`))
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('template_id', 'uuid')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('QUEUED')
        .check(sql`status IN ('QUEUED', 'SENT', 'DELIVERED', 'READ', 'FAILED')`),
    )
    .addColumn('wamid', 'text', (c) => c.unique())
    .addColumn('error', 'jsonb')
    .addColumn('idempotency_key', 'text')
    .addColumn('transport', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('sending_started_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('read_at', 'timestamptz')
    .addColumn('failed_at', 'timestamptz')
    .addUniqueConstraint('messages_tenant_id_id', ['tenant_id', 'id'])
    .addUniqueConstraint('messages_tenant_idempotency_key', ['tenant_id', 'idempotency_key'])
    .execute();
  // Composite keys keep references inside the tenant; SET NULL (col) (PostgreSQL 15+) clears only
  // the reference, never tenant_id.
  await sql`ALTER TABLE messages
    ADD CONSTRAINT messages_contact_fk FOREIGN KEY (tenant_id, contact_id)
      REFERENCES contacts (tenant_id, id) ON DELETE SET NULL (contact_id),
    ADD CONSTRAINT messages_template_fk FOREIGN KEY (tenant_id, template_id)
      REFERENCES templates (tenant_id, id) ON DELETE SET NULL (template_id)`.execute(db);
  // The dispatcher's claim: due queued messages, oldest first.
  await sql`CREATE INDEX messages_dispatch ON messages (next_attempt_at, created_at) WHERE status = 'QUEUED' AND wamid IS NULL`.execute(
    db,
  );
  // The sandbox clock: sandbox messages waiting for their next simulated status.
  await sql`CREATE INDEX messages_sandbox_clock ON messages (status, sent_at, delivered_at) WHERE transport = 'sandbox' AND status IN ('SENT', 'DELIVERED')`.execute(
    db,
  );
  await db.schema
    .createIndex('messages_tenant_created')
    .on('messages')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('messages_tenant_contact')
    .on('messages')
    .columns(['tenant_id', 'contact_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('message_status_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('message_id', 'uuid', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('previous_status', 'text')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('error', 'jsonb')
    .addColumn('source', 'text', (c) => c.notNull())
    .addForeignKeyConstraint(
      'message_status_events_message_fk',
      ['tenant_id', 'message_id'],
      'messages',
      ['tenant_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('message_status_events_message')
    .on('message_status_events')
    .columns(['tenant_id', 'message_id', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('message_status_events').execute();
  await db.schema.dropTable('messages').execute();
}
