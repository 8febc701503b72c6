import { type SelectQueryBuilder, sql } from 'kysely';
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

type Key = string | number | Date;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

function encodeCursor(value: Key, id: string): string {
  const v = value instanceof Date ? { d: value.toISOString() } : value;
  return Buffer.from(JSON.stringify([v, id])).toString('base64url');
}

function decodeCursor(cursor: string, field: 'after' | 'before'): [Key, string] {
  try {
    const [v, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [
      unknown,
      unknown,
    ];
    const value = typeof v === 'object' && v !== null && 'd' in v ? new Date(String(v.d)) : v;
    if (
      typeof id !== 'string' ||
      !isUuid(id) ||
      !(typeof value === 'string' || typeof value === 'number' || value instanceof Date) ||
      (value instanceof Date && Number.isNaN(value.getTime()))
    ) {
      throw new Error('shape');
    }
    return [value, id];
  } catch {
    throw badUserInput(field, `"${field}" is not a cursor returned by this connection.`);
  }
}

/** An edge whose cursor is encoded only when a client asks for it. */
class Edge<T extends { id: string }> {
  constructor(
    public node: T,
    private readonly column: string,
  ) {}

  get cursor(): string {
    return encodeCursor((this.node as Record<string, unknown>)[this.column] as Key, this.node.id);
  }
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
 * Runs `query` (already scoped to the tenant and filtered) as one page of a connection ordered by
 * `column` then `id`. `query` must select the row's `id` and `column`.
 */
export async function paginate<DB, TB extends keyof DB, Row extends { id: string }>(
  query: SelectQueryBuilder<DB, TB, Row>,
  args: ConnectionArgs,
  order: { column: string & keyof Row; direction: 'asc' | 'desc' },
): Promise<Connection<Row>> {
  const { size, backward } = pageSize(args);
  const after = args.after ? decodeCursor(args.after, 'after') : undefined;
  const before = args.before ? decodeCursor(args.before, 'before') : undefined;
  const asc = order.direction === 'asc';
  const col = sql.ref(order.column);
  const id = sql.ref('id');
  let page = query;
  // Rows strictly after the `after` cursor (in the connection's order), strictly before `before`.
  if (after) {
    page = page.where(
      sql<boolean>`(${col}, ${id}) ${sql.raw(asc ? '>' : '<')} (${after[0]}, ${after[1]}::uuid)`,
    );
  }
  if (before) {
    page = page.where(
      sql<boolean>`(${col}, ${id}) ${sql.raw(asc ? '<' : '>')} (${before[0]}, ${before[1]}::uuid)`,
    );
  }
  const dir = asc !== backward ? 'asc' : 'desc';
  const rows =
    size === 0
      ? []
      : await page
          .orderBy(sql`${col} ${sql.raw(dir)}`)
          .orderBy(sql`${id} ${sql.raw(dir)}`)
          .limit(size + 1)
          .execute();
  const more = rows.length > size;
  const nodes = (more ? rows.slice(0, size) : rows) as Row[];
  if (backward) nodes.reverse();
  const edges = nodes.map((node) => new Edge(node, order.column));
  return {
    edges,
    pageInfo: {
      hasNextPage: backward ? Boolean(before) : more,
      hasPreviousPage: backward ? more : Boolean(after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: async () => {
      const result = await query
        .clearSelect()
        .select(sql<number>`count(*)`.as('count'))
        .executeTakeFirstOrThrow();
      return Number((result as unknown as { count: number }).count);
    },
  };
}
