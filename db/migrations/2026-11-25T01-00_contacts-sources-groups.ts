import { type Kysely, sql } from 'kysely';

// Sources, groups, contacts and group memberships. Every table carries `tenant_id` and a
// UNIQUE (tenant_id, id), and every reference between them is a composite foreign key on
// (tenant_id, x_id), so a row can never point at another tenant's row: the database refuses it.
// Other tables (messages) reference contacts the same way, with ON DELETE SET NULL (contact_id).
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['sources', 'groups'] as const) {
    await db.schema
      .createTable(table)
      .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
      .addColumn('tenant_id', 'uuid', (c) =>
        c.notNull().references('tenants.id').onDelete('cascade'),
      )
      .addColumn('name', 'text', (c) => c.notNull())
      .$call((builder) => (table === 'groups' ? builder.addColumn('description', 'text') : builder))
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addUniqueConstraint(`${table}_tenant_id_id`, ['tenant_id', 'id'])
      .execute();
    // Names are unique per tenant regardless of case; the schema turns a violation into CONFLICT.
    const index = sql.id(`${table}_tenant_name`);
    await sql`CREATE UNIQUE INDEX ${index} ON ${sql.table(table)} (tenant_id, lower(name))`.execute(
      db,
    );
    // The list order (name, then id).
    await db.schema
      .createIndex(`${table}_tenant_name_order`)
      .on(table)
      .columns(['tenant_id', 'name', 'id'])
      .execute();
  }

  await db.schema
    .createTable('contacts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('first_name', 'text', (c) => c.notNull())
    // '' when the contact has no last name: a keyset cursor needs a non-null sort value.
    .addColumn('last_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('company', 'text')
    .addColumn('type', 'text', (c) => c.notNull().defaultTo('lead'))
    .addColumn('email', 'text')
    // E.164, normalised by the API (libphonenumber-js).
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('country', 'text')
    .addColumn('description', 'text')
    .addColumn('status_id', 'uuid')
    .addColumn('source_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('contacts_tenant_id_id', ['tenant_id', 'id'])
    .addUniqueConstraint('contacts_tenant_phone', ['tenant_id', 'phone'])
    .addCheckConstraint('contacts_type', sql`type IN ('lead', 'customer')`)
    .addCheckConstraint('contacts_phone_e164', sql`phone ~ '^\\+[1-9][0-9]{1,14}$'`)
    .addCheckConstraint('contacts_country', sql`country ~ '^[A-Z]{2}$'`)
    .execute();
  // Deleting a status or source keeps its contacts and clears only that column (PostgreSQL 15+).
  await sql`
    ALTER TABLE contacts
      ADD CONSTRAINT contacts_status FOREIGN KEY (tenant_id, status_id)
        REFERENCES statuses (tenant_id, id) ON DELETE SET NULL (status_id),
      ADD CONSTRAINT contacts_source FOREIGN KEY (tenant_id, source_id)
        REFERENCES sources (tenant_id, id) ON DELETE SET NULL (source_id)
  `.execute(db);
  // The orders of `contacts(orderBy:)`, each with id as the keyset tie-breaker, and the filters.
  for (const column of ['created_at', 'updated_at', 'first_name', 'last_name'] as const) {
    await db.schema
      .createIndex(`contacts_tenant_${column}`)
      .on('contacts')
      .columns(['tenant_id', column, 'id'])
      .execute();
  }
  await db.schema
    .createIndex('contacts_tenant_status')
    .on('contacts')
    .columns(['tenant_id', 'status_id'])
    .execute();
  await db.schema
    .createIndex('contacts_tenant_source')
    .on('contacts')
    .columns(['tenant_id', 'source_id'])
    .execute();

  await db.schema
    .createTable('contact_groups')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('group_id', 'uuid', (c) => c.notNull())
    .addColumn('contact_id', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('contact_groups_pkey', ['tenant_id', 'group_id', 'contact_id'])
    .addForeignKeyConstraint(
      'contact_groups_group',
      ['tenant_id', 'group_id'],
      'groups',
      ['tenant_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addForeignKeyConstraint(
      'contact_groups_contact',
      ['tenant_id', 'contact_id'],
      'contacts',
      ['tenant_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  // A contact's groups (Contact.groups) and the cascade from contacts.
  await db.schema
    .createIndex('contact_groups_tenant_contact')
    .on('contact_groups')
    .columns(['tenant_id', 'contact_id', 'group_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('contact_groups').execute();
  await db.schema.dropTable('contacts').execute();
  await db.schema.dropTable('groups').execute();
  await db.schema.dropTable('sources').execute();
}
