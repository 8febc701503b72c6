import { type Kysely, sql } from 'kysely';
import type {
  Contact,
  ContactType,
  ContactUpdate,
  Database,
  Group,
  NewContact,
  Source,
  Status,
} from '../db/types.js';
import {
  type Connection,
  type ConnectionArgs,
  type OrderType,
  paginate,
} from '../db/connection.js';

/** Relations a page of contacts can carry from its own statement (see `listContacts`). */
export interface ContactIncludes {
  status?: boolean;
  source?: boolean;
  groups?: boolean;
}

/**
 * A contact as a page lists it: with the relations its statement fetched, which the resolvers
 * use instead of loading them (a relation not included is `undefined` there, and loads).
 */
export interface ContactRow extends Contact {
  included?: { status?: Status | null; source?: Source | null; groups?: Group[] };
}

type JsonRow = Record<string, unknown>;

/** A row of statuses, sources or groups read back from `to_jsonb`: its timestamps as Dates. */
function fromJson<T>(row: JsonRow): T {
  return {
    ...row,
    created_at: new Date(row.created_at as string),
    updated_at: new Date(row.updated_at as string),
  } as T;
}

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

/** What each order column holds, for checking cursors against it (src/db/connection.ts). */
const ORDER_TYPES = {
  created_at: 'timestamp',
  updated_at: 'timestamp',
  first_name: 'text',
  last_name: 'text',
} as const satisfies Record<ContactOrder['column'], OrderType>;

/** `LIKE` treats `%`, `_` and `\` specially; a search for "50%" means the characters "50%". */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * One page of the tenant's contacts. With `include`, the same statement also brings each contact's
 * status, source and groups (correlated subqueries, as JSON), so a page with its relations is one
 * statement rather than one per relation.
 */
export async function listContacts(
  db: Kysely<Database>,
  tenantId: string,
  filter: ContactFilter,
  order: ContactOrder,
  args: ConnectionArgs,
  include: ContactIncludes = {},
) {
  let query = db
    .selectFrom('contacts')
    .selectAll('contacts')
    .where('tenant_id', '=', tenantId)
    .$if(Boolean(include.status), (q) =>
      q.select(
        sql<JsonRow | null>`(select to_jsonb(s) from statuses s
          where s.tenant_id = contacts.tenant_id and s.id = contacts.status_id)`.as('_status'),
      ),
    )
    .$if(Boolean(include.source), (q) =>
      q.select(
        sql<JsonRow | null>`(select to_jsonb(s) from sources s
          where s.tenant_id = contacts.tenant_id and s.id = contacts.source_id)`.as('_source'),
      ),
    )
    .$if(Boolean(include.groups), (q) =>
      q.select(
        sql<JsonRow[]>`coalesce((select jsonb_agg(to_jsonb(g) order by g.name, g.id)
          from contact_groups cg join groups g on g.tenant_id = cg.tenant_id and g.id = cg.group_id
          where cg.tenant_id = contacts.tenant_id and cg.contact_id = contacts.id), '[]'::jsonb)`.as(
          '_groups',
        ),
      ),
    );
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
  const page = await paginate(query, args, { ...order, type: ORDER_TYPES[order.column] });
  if (!include.status && !include.source && !include.groups) return page;
  // A page's contacts share few statuses, sources and groups: one object for each.
  const seen = new Map<string, unknown>();
  const once = <T>(json: JsonRow): T => {
    const key = `${json.id}`;
    let row = seen.get(key);
    if (!row) seen.set(key, (row = fromJson<T>(json)));
    return row as T;
  };
  // The JSON columns stay on the row (no copy of each contact); only `included` is read.
  for (const { node } of page.edges) {
    const row: ContactRow = node;
    const included: NonNullable<ContactRow['included']> = {};
    if (include.status) included.status = node._status ? once<Status>(node._status) : null;
    if (include.source) included.source = node._source ? once<Source>(node._source) : null;
    if (include.groups) included.groups = (node._groups ?? []).map((g) => once<Group>(g));
    row.included = included;
  }
  return page as Connection<ContactRow>;
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
