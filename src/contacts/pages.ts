import { type Kysely, type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import { PARTIAL } from '../db/partial.js';
import type { Contact, Database, Group, Source, Status } from '../db/types.js';
import {
  type Connection,
  type ConnectionArgs,
  EXACT_KEY,
  type OrderType,
  type PageOrder,
  type PageNeeds,
  type PagePlan,
  WHOLE_PAGE,
  pageQuery,
  paginate,
} from '../db/connection.js';
import type { ContactFilter, ContactOrder } from './repo.js';

/**
 * Pages of contacts: the tenant's (`listContacts`) and each group's (`listContactsOfGroups`, all
 * groups in one statement), reading the columns and relations the query selects.
 */

/** A contacts column a page may read. */
export type ContactColumn = keyof Contact & string;

/** Columns of a related row a page reads; undefined for the whole row. */
export interface RelationSelection {
  columns?: readonly string[];
}

/**
 * What a page of contacts reads (see `listContacts`): its columns (undefined for all), and the
 * relations its statement brings along, each with its own columns (absent: not brought).
 */
export interface ContactSelection {
  columns?: readonly ContactColumn[];
  status?: RelationSelection;
  source?: RelationSelection;
  groups?: RelationSelection;
}

/**
 * A contact as a page lists it: perhaps with only some columns (then marked `PARTIAL`), and with
 * the relations its statement fetched, which the resolvers use instead of loading them (a relation
 * not included is `undefined` there, and loads).
 */
export interface ContactRow extends Contact {
  [PARTIAL]?: true;
  included?: { status?: Status | null; source?: Source | null; groups?: Group[] };
}

type JsonRow = Record<string, unknown>;

/** A row read back as JSON, its timestamps (when read) made Dates again, in place. */
function withDates(row: JsonRow): JsonRow {
  if (typeof row.created_at === 'string') row.created_at = new Date(row.created_at);
  if (typeof row.updated_at === 'string') row.updated_at = new Date(row.updated_at);
  return row;
}

/** A related row read back as JSON: its timestamps, when read, as Dates; partial when narrowed. */
function fromJson<T>(row: JsonRow, partial: boolean): T {
  const result = withDates({ ...row });
  if (partial) (result as { [PARTIAL]?: true })[PARTIAL] = true;
  return result as T;
}

/** `alias` as a JSON object of `columns` (or of the whole row). */
function jsonOf(alias: string, columns: readonly string[] | undefined) {
  if (!columns) return sql`to_jsonb(${sql.table(alias)})`;
  return sql`json_build_object(${sql.join(
    columns.map((column) => sql`${sql.lit(column)}::text, ${sql.ref(`${alias}.${column}`)}`),
  )})`;
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

/** The columns of contacts a page reads: those selected, and the order column for cursors. */
function pageColumns(select: ContactSelection, order: ContactOrder): ContactColumn[] | undefined {
  if (!select.columns) return undefined;
  // A timestamp order column's cursor reads its exact text (paginate), not the column.
  const columns = new Set<ContactColumn>(select.columns);
  if (ORDER_TYPES[order.column] === 'text') columns.add(order.column);
  return [...columns];
}

/**
 * How a page's statement returns a relation: as JSON text (a column of its own, parsed once per
 * distinct text by `readIncluded`), or packed (see `packedRelation`) inside a page that is itself
 * JSON (`groupPageJson`).
 */
type RelationForm = 'text' | 'packed';

/**
 * A related row packed for a JSON page: the array of its `columns` but for `tenant_id` (the
 * page's) and, for a row a contact refers to by a column of its own (`omitId`), `id`; the whole row
 * as an object when its columns are not known. `unpackRelation` reads it back.
 */
function packedRelation(alias: string, columns: readonly string[] | undefined, omitId: boolean) {
  if (!columns) return sql`to_jsonb(${sql.table(alias)})`;
  return sql`json_build_array(${sql.join(
    packedColumns(columns, omitId).map((column) => sql.ref(`${alias}.${column}`)),
  )})`;
}

/** The columns a packed relation carries, in order. */
function packedColumns(columns: readonly string[], omitId: boolean): string[] {
  return columns.filter((c) => c !== 'tenant_id' && !(omitId && c === 'id'));
}

/**
 * The tenant's contacts matching `filter` (but for `groupId`, which the callers apply), with the
 * columns and relations `select` asks for, each relation as JSON (status and source left joined,
 * groups a correlated subquery), so a page with its relations is one statement rather than one
 * per relation. Every column reference is qualified: statuses and sources share column names.
 */
function contactsQuery(
  db: Kysely<Database>,
  tenantId: string,
  filter: ContactFilter,
  order: ContactOrder,
  select: ContactSelection,
  form: RelationForm = 'text',
): SelectQueryBuilder<Database, 'contacts', PageRow> {
  const columns = pageColumns(select, order);
  const packed = form === 'packed';
  // A status or source is left joined (PostgreSQL probes a hash of the tenant's few statuses
  // rather than running a subquery per contact); a missing one reads as null, not as a row of nulls.
  const one = (alias: string, relation: RelationSelection) =>
    sql`case when ${sql.ref(`${alias}.id`)} is null then null else ${
      packed
        ? packedRelation(alias, relation.columns, true)
        : sql`${jsonOf(alias, relation.columns)}::text`
    } end`;
  const many = (alias: string, relation: RelationSelection) =>
    packed ? packedRelation(alias, relation.columns, false) : jsonOf(alias, relation.columns);
  let query = db
    .selectFrom('contacts')
    .$if(!columns, (q) => q.selectAll('contacts'))
    .$if(Boolean(columns), (q) => q.select(columns!.map((c) => `contacts.${c}` as const)))
    .where('contacts.tenant_id', '=', tenantId)
    .$if(Boolean(select.status), (q) =>
      q
        .leftJoin('statuses as _st', (join) =>
          join
            .onRef('_st.tenant_id', '=', 'contacts.tenant_id')
            .onRef('_st.id', '=', 'contacts.status_id'),
        )
        .select(one('_st', select.status!).as('_status')),
    )
    .$if(Boolean(select.source), (q) =>
      q
        .leftJoin('sources as _so', (join) =>
          join
            .onRef('_so.tenant_id', '=', 'contacts.tenant_id')
            .onRef('_so.id', '=', 'contacts.source_id'),
        )
        .select(one('_so', select.source!).as('_source')),
    )
    .$if(Boolean(select.groups), (q) =>
      q.select(
        sql<string>`coalesce((select json_agg(${many('g', select.groups!)} order by g.name, g.id)
          from contact_groups cg join groups g on g.tenant_id = cg.tenant_id and g.id = cg.group_id
          where cg.tenant_id = contacts.tenant_id and cg.contact_id = contacts.id), '[]'::json)${sql.raw(packed ? '' : '::text')}`.as(
          '_groups',
        ),
      ),
    ) as unknown as SelectQueryBuilder<Database, 'contacts', PageRow>;
  if (filter.statusId) query = query.where('contacts.status_id', '=', filter.statusId);
  if (filter.sourceId) query = query.where('contacts.source_id', '=', filter.sourceId);
  if (filter.type) query = query.where('contacts.type', '=', filter.type);
  const search = filter.search?.trim();
  if (search) {
    const pattern = likePattern(search);
    // "+44 20 7946" finds +442079460958: phone numbers are stored without spaces or punctuation.
    const digits = /^[\d\s+().-]+$/.test(search) ? search.replace(/\D/g, '') : '';
    query = query.where((eb) =>
      eb.or([
        eb('contacts.first_name', 'ilike', pattern),
        eb('contacts.last_name', 'ilike', pattern),
        eb(sql<string>`contacts.first_name || ' ' || contacts.last_name`, 'ilike', pattern),
        eb('contacts.email', 'ilike', pattern),
        eb('contacts.company', 'ilike', pattern),
        eb('contacts.phone', 'like', digits.length >= 3 ? likePattern(digits) : pattern),
      ]),
    );
  }
  return query as unknown as SelectQueryBuilder<Database, 'contacts', PageRow>;
}

/**
 * A page's row: the relations as JSON text (parsed here once per distinct text, not per row), or
 * packed (`packedRelation`) when the page was read as JSON.
 */
type PageRow = ContactRow & {
  _status?: string | unknown[] | JsonRow | null;
  _source?: string | unknown[] | JsonRow | null;
  _groups?: string | (unknown[] | JsonRow)[];
};

/** A packed related row (`packedRelation`) as an object, with the `id` and `tenant_id` it left out. */
function unpackRelation(
  value: unknown[] | JsonRow,
  relation: RelationSelection,
  omitId: boolean,
  id: unknown,
  tenantId: unknown,
): JsonRow {
  if (!Array.isArray(value)) return value;
  const row: JsonRow = omitId ? { id, tenant_id: tenantId } : { tenant_id: tenantId };
  packedColumns(relation.columns!, omitId).forEach((column, i) => (row[column] = value[i]));
  return row;
}

/**
 * Marks the rows of a page read with some columns only, and hangs the relations their statement
 * brought on `included`. A page's contacts share few statuses, sources and groups (and sets of
 * groups): each distinct JSON text is parsed once, and each related row is one object, whatever
 * number of contacts refer to it. The JSON columns stay on the row (no copy of each contact).
 */
function readIncluded(rows: PageRow[], select: ContactSelection): void {
  const partial = Boolean(select.columns);
  if (!partial && !select.status && !select.source && !select.groups) return;
  const byId = new Map<string, unknown>();
  const once = <T>(json: JsonRow, relation: RelationSelection): T => {
    const key = `${json.id}`;
    let row = byId.get(key);
    if (!row) byId.set(key, (row = fromJson<T>(json, Boolean(relation.columns))));
    return row as T;
  };
  const byText = new Map<string, unknown>();
  const parsed = <T>(text: string, read: (json: never) => T): T => {
    let value = byText.get(text) as T | undefined;
    if (value === undefined) byText.set(text, (value = read(JSON.parse(text) as never)));
    return value;
  };
  const { status, source, groups } = select;
  const statusOf = (json: JsonRow) => once<Status>(json, status!);
  const sourceOf = (json: JsonRow) => once<Source>(json, source!);
  const groupsOf = (json: JsonRow[]) => json.map((g) => once<Group>(g, groups!));
  /** A status or source as its page brought it: JSON text, packed, or none. */
  const toOne = <T>(
    value: PageRow['_status'],
    relation: RelationSelection,
    read: (json: JsonRow) => T,
    id: unknown,
    tenantId: unknown,
  ): T | null => {
    if (value == null) return null;
    if (typeof value === 'string') return parsed(value, read);
    return read(unpackRelation(value, relation, true, id, tenantId));
  };
  for (const row of rows) {
    if (partial) row[PARTIAL] = true;
    if (!status && !source && !groups) continue;
    const included: NonNullable<ContactRow['included']> = {};
    const { _status, _source, _groups = '[]' } = row;
    if (status) included.status = toOne(_status, status, statusOf, row.status_id, row.tenant_id);
    if (source) included.source = toOne(_source, source, sourceOf, row.source_id, row.tenant_id);
    if (groups) {
      included.groups =
        typeof _groups === 'string'
          ? parsed(_groups, groupsOf)
          : groupsOf(
              _groups.map((g) => unpackRelation(g, groups, false, undefined, row.tenant_id)),
            );
    }
    row.included = included;
  }
}

/** Contacts in the group `groupId` (a value, or a reference to the group of an outer query). */
function inGroup(tenantId: string, groupId: string | RawBuilder<string>) {
  return sql<boolean>`contacts.id in (select contact_id from contact_groups
    where tenant_id = ${tenantId} and group_id = ${groupId})`;
}

/** One page of the tenant's contacts, in one statement with the relations `select` asks for. */
export async function listContacts(
  db: Kysely<Database>,
  tenantId: string,
  filter: ContactFilter,
  order: ContactOrder,
  args: ConnectionArgs,
  select: ContactSelection = {},
  needs: PageNeeds = WHOLE_PAGE,
): Promise<Connection<ContactRow>> {
  let query = contactsQuery(db, tenantId, filter, order, select);
  if (filter.groupId) query = query.where(inGroup(tenantId, filter.groupId));
  const page = await paginate(query, args, contactPageOrder(order), contactRefs(order), needs);
  readIncluded(page.edges.map((edge) => edge.node) as PageRow[], select);
  return page as Connection<ContactRow>;
}

/** The order of a contacts connection, with what its column holds. */
export function contactPageOrder(order: ContactOrder): PageOrder<ContactOrder['column']> {
  return { ...order, type: ORDER_TYPES[order.column] };
}

/** Where a contacts page's statement reads its order column and id (it may join relations). */
function contactRefs(order: ContactOrder) {
  return { column: `contacts.${order.column}`, id: 'contacts.id' };
}

/**
 * The page `plan` of the contacts of the group `groupId` (a reference to the group of an outer
 * statement), with its order column and id as `_o` and `_oid` (for `inReadingOrder`): what
 * `pageQuery` reads (one more than the page), which `toConnection` turns into the page
 * `listContacts` gives for the group.
 */
function groupPageQuery(
  db: Kysely<Database>,
  tenantId: string,
  groupId: RawBuilder<string>,
  order: ContactOrder,
  plan: PagePlan,
  select: ContactSelection,
  form: RelationForm = 'text',
) {
  const contacts = contactsQuery(db, tenantId, {}, order, select, form);
  // Newest first (the default): the group's memberships carry their contact's created_at, so the
  // page is a range of the index contact_groups_group_newest, joined to its contacts. Any other
  // order reads the tenant's contacts in that order and keeps the group's.
  const newest = order.column === 'created_at';
  const members = newest
    ? contacts
        .innerJoin('contact_groups as cg', (join) =>
          join
            .onRef('cg.tenant_id', '=', 'contacts.tenant_id')
            .onRef('cg.contact_id', '=', 'contacts.id'),
        )
        .where('cg.tenant_id', '=', tenantId)
        .where('cg.group_id', '=', groupId)
    : contacts.where(inGroup(tenantId, groupId));
  const refs = newest
    ? { column: 'cg.contact_created_at', id: 'cg.contact_id' }
    : contactRefs(order);
  return pageQuery(
    members.select([sql.ref(refs.column).as('_o'), sql.ref(refs.id).as('_oid')]),
    plan,
    contactPageOrder(order),
    refs,
  );
}

/**
 * The order in which to read the rows of `groupPageQuery` selected as `p` (whatever order a join
 * or an aggregate would otherwise take them in).
 */
function inReadingOrder(order: ContactOrder, plan: PagePlan) {
  const direction = sql.raw((order.direction === 'asc') !== plan.backward ? 'asc' : 'desc');
  return sql`p._o ${direction}, p._oid ${direction}`;
}

/**
 * A page of each group's contacts, all in one statement (a lateral join per group), in the order
 * of `groupIds`: the rows `pageQuery` reads for `plan` (one more than the page), which
 * `toConnection` turns into the same page `listContacts` gives for one group.
 */
export async function listContactsOfGroups(
  db: Kysely<Database>,
  tenantId: string,
  groupIds: readonly string[],
  order: ContactOrder,
  plan: PagePlan,
  select: ContactSelection,
): Promise<ContactRow[][]> {
  if (groupIds.length === 0) return [];
  if (plan.size === 0) return groupIds.map(() => []);
  const page = groupPageQuery(db, tenantId, sql.ref('k.group_id'), order, plan, select);
  const rows = (await db
    .selectFrom(
      sql<{ group_id: string }>`(select unnest(${[...groupIds]}::uuid[]) as group_id)`.as('k'),
    )
    .innerJoinLateral(page.as('p'), (join) => join.onTrue())
    .selectAll('p')
    .select(sql<string>`k.group_id`.as('_group'))
    .orderBy(sql`k.group_id`)
    .orderBy(inReadingOrder(order, plan))
    .execute()) as unknown as (PageRow & { _group: string })[];
  readIncluded(rows, select);
  const byGroup = new Map<string, ContactRow[]>();
  for (const row of rows) {
    const list = byGroup.get(row._group);
    if (list) list.push(row);
    else byGroup.set(row._group, [row]);
  }
  return groupIds.map((id) => byGroup.get(id) ?? []);
}

/**
 * The same page of a group's contacts as `listContactsOfGroups` reads, as one JSON text column of
 * a statement that reads groups (`groupId` refers to its group): so that a page of groups and the
 * page of contacts of each are one statement. `readGroupPage` reads the column back.
 *
 * Each contact is an array of its values in `packedLayout`'s order, its relations packed
 * (`packedRelation`): PostgreSQL builds arrays of a few values at a fraction of the cost of
 * objects of every column, and the text is less than half as long. A page whose columns are not
 * known is an array of whole rows.
 */
export function groupPageJson(
  db: Kysely<Database>,
  tenantId: string,
  groupId: RawBuilder<string>,
  order: ContactOrder,
  plan: PagePlan,
  select: ContactSelection,
): RawBuilder<string> {
  const layout = packedLayout(select, order, plan);
  const page = groupPageQuery(db, tenantId, groupId, order, plan, select, 'packed');
  const row = layout
    ? sql`json_build_array(${sql.join(layout.map((key) => sql.ref(`p.${key}`)))})`
    : sql`p`;
  return sql<string>`(select coalesce(json_agg(${row} order by ${inReadingOrder(order, plan)}), '[]')::text from (${page}) p)`;
}

/**
 * The keys of a contact of a packed group page, in order (undefined when its columns are not
 * known): its columns but `tenant_id`, the cursor's exact value, then its relations.
 */
function packedLayout(
  select: ContactSelection,
  order: ContactOrder,
  plan: PagePlan,
): string[] | undefined {
  const columns = pageColumns(select, order);
  if (!columns) return undefined;
  const layout: string[] = columns.filter((column) => column !== 'tenant_id');
  if (ORDER_TYPES[order.column] === 'timestamp' && plan.cursors) layout.push(EXACT_KEY);
  if (select.status) layout.push('_status');
  if (select.source) layout.push('_source');
  if (select.groups) layout.push('_groups');
  return layout;
}

/** The rows of a group's page read by `groupPageJson`, as `listContactsOfGroups` gives them. */
export function readGroupPage(
  json: string,
  tenantId: string,
  order: ContactOrder,
  plan: PagePlan,
  select: ContactSelection,
): ContactRow[] {
  const layout = packedLayout(select, order, plan);
  const values = JSON.parse(json) as (unknown[] | JsonRow)[];
  const rows = values.map((value) => {
    if (!Array.isArray(value)) return withDates(value) as unknown as PageRow;
    const row: JsonRow = { tenant_id: tenantId };
    layout!.forEach((key, i) => (row[key] = value[i]));
    return withDates(row) as unknown as PageRow;
  });
  readIncluded(rows, select);
  return rows;
}
