import { type Kysely, sql } from 'kysely';

// `Group.contacts` lists a group's contacts newest first. Reading that from `contacts` means
// visiting the tenant's contacts newest first and probing each one's membership (thousands of
// probes for a page of 20 of a large group). Each membership row now carries its contact's
// `created_at` (which never changes), kept by triggers, so that a group's newest contacts are an
// index range: `contact_groups_group_newest`.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('contact_groups')
    .addColumn('contact_created_at', 'timestamptz')
    .execute();
  await sql`update contact_groups cg set contact_created_at = c.created_at
    from contacts c where c.tenant_id = cg.tenant_id and c.id = cg.contact_id`.execute(db);
  await db.schema
    .alterTable('contact_groups')
    .alterColumn('contact_created_at', (c) => c.setNotNull())
    .execute();
  // Set on every insert from the contact (whatever the statement gave).
  await sql`create function contact_groups_contact_created_at() returns trigger
    language plpgsql as $$
    begin
      select c.created_at into new.contact_created_at from contacts c
        where c.tenant_id = new.tenant_id and c.id = new.contact_id;
      -- No such contact: the foreign key refuses the row, and says why.
      if not found then new.contact_created_at := '-infinity'; end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger contact_groups_contact_created_at
    before insert or update of contact_id on contact_groups
    for each row execute function contact_groups_contact_created_at()`.execute(db);
  // Should a contact's created_at ever change, its memberships follow.
  await sql`create function contacts_created_at_to_groups() returns trigger
    language plpgsql as $$
    begin
      update contact_groups set contact_created_at = new.created_at
        where tenant_id = new.tenant_id and contact_id = new.id;
      return null;
    end $$`.execute(db);
  await sql`create trigger contacts_created_at_to_groups
    after update of created_at on contacts
    for each row when (old.created_at is distinct from new.created_at)
    execute function contacts_created_at_to_groups()`.execute(db);
  await sql`create index contact_groups_group_newest on contact_groups
    (tenant_id, group_id, contact_created_at desc, contact_id desc)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger contacts_created_at_to_groups on contacts`.execute(db);
  await sql`drop function contacts_created_at_to_groups()`.execute(db);
  await sql`drop trigger contact_groups_contact_created_at on contact_groups`.execute(db);
  await sql`drop function contact_groups_contact_created_at()`.execute(db);
  await db.schema.alterTable('contact_groups').dropColumn('contact_created_at').execute();
}
