import type { PageQuery } from './params.js';
import type { RestResult } from './route.js';

/**
 * The REST shapes (API.md "The REST face"): snake_case keys of the GraphQL fields, one object as
 * `{ data }`, a list as `{ data, meta }` with Laravel's paginator meta.
 */

const snakeKeys = new Map<string, string>();

/** `firstName` → `first_name`, `createdAt` → `created_at`; memoised (a small, fixed set). */
export function snakeKey(key: string): string {
  let snake = snakeKeys.get(key);
  if (snake === undefined) {
    snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (snakeKeys.size < 10_000) snakeKeys.set(key, snake);
  }
  return snake;
}

/** A copy of `value` with every object key in snake_case, recursively; other values as they are. */
export function toSnakeCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnakeCase);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    out[snakeKey(key)] = toSnakeCase((value as Record<string, unknown>)[key]);
  }
  return out;
}

/** The connection variables of a page: `{ first: per_page, offset: (page - 1) * per_page }`. */
export function pageVariables(query: Record<string, unknown>): { first: number; offset: number } {
  const { page, per_page } = query as PageQuery;
  return { first: per_page, offset: (page - 1) * per_page };
}

export interface ConnectionData {
  totalCount: number;
  edges: { node: Record<string, unknown> | null }[];
}

type Shape = (node: Record<string, unknown>) => Record<string, unknown>;
const snake: Shape = (node) => toSnakeCase(node) as Record<string, unknown>;

/**
 * A list answer from a connection selected with `totalCount edges { node { … } }`. A node the
 * caller may not read (null) is left out. `last_page` is at least 1, as Laravel's is.
 */
export function listResult(
  connection: ConnectionData | null | undefined,
  query: Record<string, unknown>,
  shape: Shape = snake,
): RestResult {
  const { page, per_page } = query as PageQuery;
  const total = connection?.totalCount ?? 0;
  const data: Record<string, unknown>[] = [];
  for (const edge of connection?.edges ?? []) if (edge.node) data.push(shape(edge.node));
  return {
    kind: 'list',
    data,
    meta: {
      current_page: page,
      per_page,
      total,
      last_page: Math.max(1, Math.ceil(total / per_page)),
    },
  };
}

/**
 * One object; `null` (or an object of another type, for `node(id:)` queries selecting
 * `__typename`) is 404 NOT_FOUND naming `what` and the id asked for.
 */
export function objectResult(
  object: Record<string, unknown> | null | undefined,
  what: { name: string; typename?: string; id?: string },
  shape: Shape = snake,
): RestResult {
  if (!object || (what.typename !== undefined && object.__typename !== what.typename)) {
    const which = what.id === undefined ? '' : ` with id ${JSON.stringify(what.id)}`;
    return { kind: 'not-found', message: `No ${what.name}${which} in this tenant.` };
  }
  const { __typename: _, ...fields } = object;
  return { kind: 'object', data: shape(fields) };
}

/** The answer of a DELETE: `{ id, deleted: true }`. */
export function deletedResult(id: string): RestResult {
  return { kind: 'object', data: { id, deleted: true } };
}

/**
 * `relation { id }` → `<relation>_id`, and a list of them → `<relation>_ids`, e.g. a contact's
 * `status`, `source`, `groups` as `status_id`, `source_id`, `group_ids`. A relation the caller may
 * not read was removed from the GraphQL data (src/rest/errors.ts), so its key is left out too.
 */
export function withRelationIds(
  node: Record<string, unknown>,
  relations: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in node) {
    const value = node[key];
    const idKey = relations[key];
    if (idKey === undefined) out[snakeKey(key)] = toSnakeCase(value);
    else if (Array.isArray(value))
      out[idKey] = value.flatMap((item: { id?: string } | null) => (item?.id ? [item.id] : []));
    else out[idKey] = (value as { id?: string } | null)?.id ?? null;
  }
  return out;
}

/**
 * A REST body's snake_case keys as the GraphQL input's camelCase (`first_name` → `firstName`,
 * `group_ids` → `groupIds`), top level only; undefined values are left out (an omitted field
 * stays as it is), null is kept (it clears an optional field).
 */
export function camelKeys(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!body || typeof body !== 'object') return out;
  for (const [key, value] of Object.entries(body)) {
    if (value !== undefined)
      out[key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
  }
  return out;
}
