import { type Kysely, sql } from 'kysely';
import type { Contact, ContactType, ContactUpdate, Database, NewContact } from '../db/types.js';
import { type ConnectionArgs, paginate } from '../db/connection.js';

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

/** `LIKE` treats `%`, `_` and `\` specially; a search for "50%" means the characters "50%". */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function listContacts(
  db: Kysely<Database>,
  tenantId: string,
  filter: ContactFilter,
  order: ContactOrder,
  args: ConnectionArgs,
) {
  let query = db.selectFrom('contacts').selectAll().where('tenant_id', '=', tenantId);
  if (filter.statusId) query = query.where('status_id', '=', filter.statusId);
  if (filter.sourceId) query = query.where('source_id', '=', filter.sourceId);
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.groupId) {
    const groupId = filter.groupId;
    query = query.where('id', 'in', (eb) =>
      eb
        .selectFrom('contact_groups')
        .select('contact_id')
        .where('tenant_id', '=', tenantId)
        .where('group_id', '=', groupId),
    );
  }
  const search = filter.search?.trim();
  if (search) {
    const pattern = likePattern(search);
    // "+44 20 7946" finds +442079460958: phone numbers are stored without spaces or punctuation.
    const digits = /^[\d\s+().-]+$/.test(search) ? search.replace(/\D/g, '') : '';
    query = query.where((eb) =>
      eb.or([
        eb('first_name', 'ilike', pattern),
        eb('last_name', 'ilike', pattern),
        eb(sql<string>`first_name || ' ' || last_name`, 'ilike', pattern),
        eb('email', 'ilike', pattern),
        eb('company', 'ilike', pattern),
        eb('phone', 'like', digits.length >= 3 ? likePattern(digits) : pattern),
      ]),
    );
  }
  return paginate(query, args, order);
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
