import type { Kysely } from 'kysely';
import type { Contact, ContactType, ContactUpdate, Database, NewContact } from '../db/types.js';

/** Contacts by id, and their writes. A page of contacts is read by src/contacts/pages.ts. */
export async function findContactsByIds(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
): Promise<Contact[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

/** Ids are database ids (already decoded); an id of another tenant simply matches nothing. */
export interface ContactFilter {
  statusId?: string;
  sourceId?: string;
  groupId?: string;
  type?: ContactType;
  search?: string;
}

export interface ContactOrder {
  column: 'created_at' | 'updated_at' | 'first_name' | 'last_name';
  direction: 'asc' | 'desc';
}

export async function createContact(
  db: Kysely<Database>,
  tenantId: string,
  values: Omit<NewContact, 'tenant_id' | 'id' | 'created_at' | 'updated_at'>,
): Promise<Contact> {
  return db
    .insertInto('contacts')
    .values({ ...values, tenant_id: tenantId })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Puts a new contact into groups the caller has checked belong to the tenant. */
export async function addContactToGroups(
  db: Kysely<Database>,
  tenantId: string,
  contactId: string,
  groupIds: readonly string[],
): Promise<void> {
  if (groupIds.length === 0) return;
  await db
    .insertInto('contact_groups')
    .values(
      groupIds.map((groupId) => ({
        tenant_id: tenantId,
        group_id: groupId,
        contact_id: contactId,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function updateContact(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  patch: Omit<ContactUpdate, 'id' | 'tenant_id' | 'created_at' | 'updated_at'>,
): Promise<Contact | undefined> {
  return db
    .updateTable('contacts')
    .set({ ...patch, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the contact and its group memberships (ON DELETE CASCADE). */
export async function deleteContact(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<Contact | undefined> {
  return db
    .deleteFrom('contacts')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}
