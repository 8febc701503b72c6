import { type AliasedRawBuilder, type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database, Group } from '../db/types.js';
import { type ConnectionArgs, paginate } from '../db/connection.js';

export async function findGroupsByIds(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
): Promise<Group[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('groups')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

/** Each contact's groups by name, in the order of `contactIds`; one statement for the batch. */
export async function findGroupsByContactIds(
  db: Kysely<Database>,
  tenantId: string,
  contactIds: readonly string[],
): Promise<Group[][]> {
  if (contactIds.length === 0) return [];
  const rows = await db
    .selectFrom('contact_groups as cg')
    .innerJoin('groups as g', (join) =>
      join.onRef('g.tenant_id', '=', 'cg.tenant_id').onRef('g.id', '=', 'cg.group_id'),
    )
    .selectAll('g')
    .select('cg.contact_id')
    .where('cg.tenant_id', '=', tenantId)
    .where('cg.contact_id', 'in', contactIds)
    .orderBy('g.name')
    .orderBy('g.id')
    .execute();
  const byContact = new Map<string, Group[]>();
  for (const { contact_id, ...group } of rows) {
    const list = byContact.get(contact_id) ?? [];
    list.push(group);
    byContact.set(contact_id, list);
  }
  return contactIds.map((id) => byContact.get(id) ?? []);
}

/** Member counts in the order of `groupIds`; one statement for the batch. */
export async function countContactsByGroupIds(
  db: Kysely<Database>,
  tenantId: string,
  groupIds: readonly string[],
): Promise<number[]> {
  if (groupIds.length === 0) return [];
  const rows = await db
    .selectFrom('contact_groups')
    .select(['group_id', sql<number>`count(*)`.as('count')])
    .where('tenant_id', '=', tenantId)
    .where('group_id', 'in', groupIds)
    .groupBy('group_id')
    .execute();
  const counts = new Map(rows.map((row) => [row.group_id, Number(row.count)]));
  return groupIds.map((id) => counts.get(id) ?? 0);
}

/**
 * A page of the tenant's groups by name; `also` adds a column computed for each group (given a
 * reference to the group's id), e.g. the page of its contacts (src/contacts/loaders.ts).
 */
export function listGroups(
  db: Kysely<Database>,
  tenantId: string,
  args: ConnectionArgs,
  also?: (groupId: RawBuilder<string>) => AliasedRawBuilder<unknown, string>,
) {
  const query = db
    .selectFrom('groups')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .$if(Boolean(also), (q) => q.select(also!(sql.ref<string>('groups.id'))));
  return paginate(query, args, { column: 'name', direction: 'asc', type: 'text' });
}

export async function createGroup(
  db: Kysely<Database>,
  tenantId: string,
  input: { name: string; description: string | null },
): Promise<Group> {
  return db
    .insertInto('groups')
    .values({ tenant_id: tenantId, ...input })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateGroup(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  patch: { name?: string; description?: string | null },
): Promise<Group | undefined> {
  return db
    .updateTable('groups')
    .set({ ...patch, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the group and its memberships; the contacts stay. */
export async function deleteGroup(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<Group | undefined> {
  return db
    .deleteFrom('groups')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/**
 * The group, locked against deletion until the transaction `trx` ends; undefined when it is not in
 * the tenant.
 */
export async function lockGroup(
  trx: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<Group | undefined> {
  return trx
    .selectFrom('groups')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .forKeyShare()
    .executeTakeFirst();
}

/**
 * Which of `ids` name rows of `table` in the tenant, locked against deletion until the transaction
 * `trx` ends, so that memberships written next in `trx` cannot lose their contact or group.
 */
export async function lockExistingIds(
  trx: Kysely<Database>,
  table: 'contacts' | 'groups',
  tenantId: string,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await trx
    .selectFrom(table)
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .forKeyShare()
    .execute();
  return new Set(rows.map((row) => row.id));
}

/** Adds the memberships that do not exist yet; returns how many were added. */
export async function addMemberships(
  db: Kysely<Database>,
  tenantId: string,
  groupId: string,
  contactIds: readonly string[],
): Promise<number> {
  if (contactIds.length === 0) return 0;
  const added = await db
    .insertInto('contact_groups')
    .values(
      contactIds.map((contactId) => ({
        tenant_id: tenantId,
        group_id: groupId,
        contact_id: contactId,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .returning('contact_id')
    .execute();
  return added.length;
}

/** Removes whichever of the memberships exist; returns how many were removed. */
export async function removeMemberships(
  db: Kysely<Database>,
  tenantId: string,
  groupId: string,
  contactIds: readonly string[],
): Promise<number> {
  if (contactIds.length === 0) return 0;
  const removed = await db
    .deleteFrom('contact_groups')
    .where('tenant_id', '=', tenantId)
    .where('group_id', '=', groupId)
    .where('contact_id', 'in', contactIds)
    .returning('contact_id')
    .execute();
  return removed.length;
}
