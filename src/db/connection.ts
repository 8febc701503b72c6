import { type SelectQueryBuilder, sql } from 'kysely';
import { z } from 'zod';
import { badUserInput } from '../errors.js';

/**
 * Keyset pagination for Relay connections. The order is one column plus `id` as a tie-breaker, so a
 * cursor stays valid when rows are added or removed before it. `totalCount` runs its own COUNT only
 * when the client asks for it.
 */
export const DEFAULT_PAGE_SIZE = 20;
let maxPageSize = 100;

/** The most items a page may have (config MAX_PAGE_SIZE): process-wide, set once at start. */
export function setMaxPageSize(size: number): void {
  maxPageSize = size;
}

export function getMaxPageSize(): number {
  return maxPageSize;
}

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  /** Items to skip before the page (page-numbered clients, e.g. the REST face); forward only. */
  offset?: number | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: () => Promise<number>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** What a connection's order column holds; a cursor's value must be one, checked before any SQL. */
export type OrderType = 'timestamp' | 'text';

/**
 * A cursor is base64url(JSON `[value, id]`). A timestamp travels as `{ "d": ISO 8601 }` with
 * PostgreSQL's microseconds (a JS Date keeps milliseconds only, and a cursor rounded to them would
 * repeat or skip rows of the same millisecond); text as a string PostgreSQL can store (no NUL).
 */
const uuid = z.string().regex(UUID);
const CURSOR_SCHEMAS = {
  timestamp: z.tuple([z.strictObject({ d: z.iso.datetime() }).transform(({ d }) => d), uuid]),
  text: z.tuple([z.string().regex(/^[^\0]*$/), uuid]),
} satisfies Record<OrderType, z.ZodType<[string, string]>>;

/** The selected column holding a timestamp order column's exact value, in the cursor's form. */
export const EXACT_KEY = '_cursor_key';

function encodeCursor(value: string, id: string, type: OrderType): string {
  return Buffer.from(JSON.stringify([type === 'timestamp' ? { d: value } : value, id])).toString(
    'base64url',
  );
}

function decodeCursor(
  cursor: string,
  type: OrderType,
  field: 'after' | 'before',
): [string, string] {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = CURSOR_SCHEMAS[type].safeParse(json);
  if (!parsed.success) {
    throw badUserInput(field, `"${field}" is not a cursor returned by this connection.`);
  }
  return parsed.data;
}

/** An edge whose cursor is encoded only when a client asks for it. */
class Edge<T extends { id: string }> {
  constructor(
    public node: T,
    private readonly column: string,
    private readonly type: OrderType,
  ) {}

  get cursor(): string {
    const row = this.node as Record<string, unknown>;
    const key = this.type === 'timestamp' ? row[EXACT_KEY] : row[this.column];
    // A page planned without cursors (nothing selected them) must never invent one.
    if (key === undefined) throw new Error('a cursor of a page read without its cursors');
    return encodeCursor(String(key), this.node.id, this.type);
  }
}

/** The most items `offset` may skip: deeper pages cost a scan of every row before them. */
export const MAX_OFFSET = 10_000;

/** The `offset` argument's description, shared by every connection that takes it. */
export const OFFSET_DESCRIPTION =
  `Skip this many items (0 to ${MAX_OFFSET}) before the page, counted from the start of the ` +
  'list; only with `first`, not with `after`, `before` or `last`. For page-numbered clients; ' +
  'prefer cursors, which stay stable when items are added or removed.';

/** The validated `offset`: 0 when absent; BAD_USER_INPUT naming `offset` when misused. */
export function pageOffset(args: ConnectionArgs): number {
  if (args.offset == null) return 0;
  const clash =
    args.after != null
      ? 'after'
      : args.before != null
        ? 'before'
        : args.last != null
          ? 'last'
          : undefined;
  if (clash) throw badUserInput('offset', `Pass "offset" or "${clash}", not both.`);
  if (!Number.isInteger(args.offset) || args.offset < 0 || args.offset > MAX_OFFSET) {
    throw badUserInput('offset', `"offset" must be between 0 and ${MAX_OFFSET}.`);
  }
  return args.offset;
}

export function pageSize(args: ConnectionArgs): { size: number; backward: boolean } {
  if (args.first != null && args.last != null) {
    throw badUserInput('first', 'Pass "first" or "last", not both.');
  }
  const backward = args.last != null;
  const size = (backward ? args.last : args.first) ?? DEFAULT_PAGE_SIZE;
  const field = backward ? 'last' : 'first';
  if (!Number.isInteger(size) || size < 0 || size > maxPageSize) {
    throw badUserInput(field, `"${field}" must be between 0 and ${maxPageSize}.`);
  }
  return { size, backward };
}

/**
 * What a query asks of a page besides its nodes: their cursors (`edges { cursor }`, `pageInfo {
 * startCursor endCursor }`), for which a timestamp order column's exact value is read, and
 * whether there are more (`hasNextPage`, `hasPreviousPage`), for which one row more than the page
 * is read. Both cost PostgreSQL time on every row of a nested page, for nothing when not asked.
 */
export interface PageNeeds {
  cursors: boolean;
  more: boolean;
}

/** Every part of a page: for callers that do not know what the query selects. */
export const WHOLE_PAGE: PageNeeds = { cursors: true, more: true };

/** A page's arguments, checked, and what it needs: what `pageQuery` and `toConnection` need. */
export interface PagePlan extends PageNeeds {
  size: number;
  backward: boolean;
  offset: number;
  after?: [string, string];
  before?: [string, string];
}

/** An order of a connection: one column (holding `type`), then `id` in the same direction. */
export interface PageOrder<Column extends string = string> {
  column: Column;
  direction: 'asc' | 'desc';
  type: OrderType;
}

/**
 * Checks a page's arguments against `order`: BAD_USER_INPUT naming `first`, `last`, `offset`,
 * `after` or `before` when they do not fit, before any SQL runs.
 */
export function planPage(
  args: ConnectionArgs,
  order: PageOrder,
  needs: PageNeeds = WHOLE_PAGE,
): PagePlan {
  const { size, backward } = pageSize(args);
  const offset = pageOffset(args);
  const after = args.after ? decodeCursor(args.after, order.type, 'after') : undefined;
  const before = args.before ? decodeCursor(args.before, order.type, 'before') : undefined;
  return { size, backward, offset, after, before, ...needs };
}

/**
 * `query` narrowed to the page `plan` describes, in the order it is read (reversed for `last`),
 * one row more than the page to tell whether there is a next (or previous) one (when asked).
 * Adds the exact cursor value of a timestamp order column (when cursors are asked for). Column
 * references are unqualified (`query` reads one table) unless `refs` names them.
 */
export function pageQuery<DB, TB extends keyof DB, Row>(
  query: SelectQueryBuilder<DB, TB, Row>,
  plan: PagePlan,
  order: PageOrder,
  /** Where the statement reads the order column and the id, if not as `column` and `id`. */
  refs: { column?: string; id?: string } = {},
): SelectQueryBuilder<DB, TB, Row> {
  const { after, before, backward, offset, size } = plan;
  const asc = order.direction === 'asc';
  const col = sql.ref(refs.column ?? order.column);
  const id = sql.ref(refs.id ?? 'id');
  const key = (value: string) => (order.type === 'timestamp' ? sql`${value}::timestamptz` : value);
  let page = query;
  // Rows strictly after the `after` cursor (in the connection's order), strictly before `before`.
  if (after) {
    page = page.where(
      sql<boolean>`(${col}, ${id}) ${sql.raw(asc ? '>' : '<')} (${key(after[0])}, ${after[1]}::uuid)`,
    );
  }
  if (before) {
    page = page.where(
      sql<boolean>`(${col}, ${id}) ${sql.raw(asc ? '<' : '>')} (${key(before[0])}, ${before[1]}::uuid)`,
    );
  }
  if (order.type === 'timestamp' && plan.cursors) {
    page = page.select(
      sql<string>`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(
        EXACT_KEY,
      ),
    ) as typeof page;
  }
  const dir = asc !== backward ? 'asc' : 'desc';
  // The limit and offset are written into the text (they are checked integers), not passed as
  // parameters: PostgreSQL plans a prepared statement with an unknown LIMIT as if it read a tenth
  // of the table, so it would never settle on one plan and planned again at every execution,
  // which cost twice as much as running it.
  return page
    .orderBy(sql`${col} ${sql.raw(dir)}`)
    .orderBy(sql`${id} ${sql.raw(dir)}`)
    .limit(sql.lit(plan.more ? size + 1 : size))
    .$if(offset > 0, (q) => q.offset(sql.lit(offset)));
}

/**
 * The connection of the rows `pageQuery` read (at most one more than the page, in its reading
 * order). Each row must hold its `id` and its order column (or, for a timestamp column, the exact
 * value `pageQuery` adds).
 */
export function toConnection<Row extends { id: string }>(
  rows: readonly Row[],
  plan: PagePlan,
  order: PageOrder,
  totalCount: () => Promise<number>,
): Connection<Row> {
  const { size, backward, after, before, offset } = plan;
  const more = rows.length > size;
  const nodes = more ? rows.slice(0, size) : [...rows];
  if (backward) nodes.reverse();
  const edges = nodes.map((node) => new Edge(node, order.column, order.type));
  return {
    edges,
    pageInfo: {
      hasNextPage: backward ? Boolean(before) : more,
      hasPreviousPage: backward ? more : Boolean(after) || offset > 0,
      // Encoded when asked for, as an edge's cursor is.
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges.at(-1)?.cursor ?? null;
      },
    },
    totalCount,
  };
}

/**
 * Runs `query` (already scoped to the tenant and filtered) as one page of a connection ordered by
 * `column` (holding `type`) then `id`, skipping `offset` rows first. `query` must select the row's
 * `id` and `column`. A cursor that does not fit the column is BAD_USER_INPUT naming `after` or
 * `before`, before any SQL runs.
 */
export async function paginate<DB, TB extends keyof DB, Row extends { id: string }>(
  query: SelectQueryBuilder<DB, TB, Row>,
  args: ConnectionArgs,
  order: { column: string & keyof Row; direction: 'asc' | 'desc'; type: OrderType },
  /** Where `query` reads the order column and the id, as for `pageQuery`. */
  refs: { column?: string; id?: string } = {},
  needs: PageNeeds = WHOLE_PAGE,
): Promise<Connection<Row>> {
  const plan = planPage(args, order, needs);
  const rows = plan.size === 0 ? [] : await pageQuery(query, plan, order, refs).execute();
  return toConnection(rows as Row[], plan, order, async () => {
    const result = await query
      .clearSelect()
      .select(sql<number>`count(*)`.as('count'))
      .executeTakeFirstOrThrow();
    return Number((result as unknown as { count: number }).count);
  });
}
