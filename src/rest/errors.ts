import type { z } from 'zod';
import { CLOSE_CONNECTION } from '../limits/request.js';
import { snakeKey } from './shape.js';

/**
 * The REST face's errors (API.md "Errors"): `{ "message", "code" }`, plus for 422
 * `"errors": { "<snake_field>": ["…"] }`, with the HTTP status of the code. A GraphQL answer is
 * mapped by its first error that fails the request (see `failureOf`).
 */

export interface RestErrorBody {
  message: string;
  code: string;
  errors?: Record<string, string[]>;
}

/** One error of a GraphQL JSON response. */
export interface GraphQLErrorJson {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;

export function errorResponse(
  status: number,
  body: RestErrorBody,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** A malformed JSON body: 400 BAD_REQUEST. */
export function malformedJson(): Response {
  return errorResponse(400, {
    message: 'The request body is not valid JSON.',
    code: 'BAD_REQUEST',
  });
}

/**
 * A body over `maxBytes`: 413, QUERY_TOO_COMPLEX as for GraphQL (API.md counts the size limit
 * among the query limits). The rest of the body is left unread, so the connection is closed.
 */
export function bodyTooLarge(maxBytes: number): Response {
  return errorResponse(
    413,
    {
      message: `The request body exceeds the limit of ${maxBytes} bytes.`,
      code: 'QUERY_TOO_COMPLEX',
    },
    CLOSE_CONNECTION,
  );
}

/** An unknown route below `/api/v1/<tenant>/`: 404 naming the reference. */
export function unknownRoute(tenant: string, method: string, path: string): Response {
  return errorResponse(404, {
    message: `No route ${method} ${path}. The routes are listed at /api/v1/${tenant}/docs (OpenAPI: /api/v1/${tenant}/openapi.json).`,
    code: 'NOT_FOUND',
  });
}

/** A known path asked with a method it does not take: 405 with `Allow`. */
export function methodNotAllowed(method: string, path: string, allow: readonly string[]): Response {
  return errorResponse(
    405,
    {
      message: `${path} does not take ${method}; it takes ${allow.join(', ')}.`,
      code: 'METHOD_NOT_ALLOWED',
    },
    { allow: allow.join(', ') },
  );
}

/** Input refused by a route's zod schema: 422 BAD_USER_INPUT, every problem under its field. */
export function invalidInput(issues: readonly z.core.$ZodIssue[], root: string): Response {
  const errors: Record<string, string[]> = {};
  for (const issue of issues) {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : root;
    (errors[field] ??= []).push(issue.message);
  }
  const [field, [first]] = Object.entries(errors)[0]! as [string, string[]];
  return errorResponse(422, { message: `${field}: ${first}`, code: 'BAD_USER_INPUT', errors });
}

/**
 * Where a GraphQL field name differs from the REST one beyond snake_case. Keys are GraphQL input
 * paths without the leading `input.`/`filter.`; a route's own `errorFields` come first.
 */
const DEFAULT_FIELDS: Readonly<Record<string, string>> = {
  offset: 'page',
  first: 'per_page',
  'to.phone': 'phone_number',
  'to.contactId': 'contact_id',
};

/** The REST field a GraphQL `extensions.field` names: `firstName` → `first_name`. */
export function restField(field: string, routeFields?: Readonly<Record<string, string>>): string {
  const path = field.replace(/^(?:input|filter)\./, '');
  const mapped = routeFields?.[path] ?? DEFAULT_FIELDS[path];
  if (mapped !== undefined) return mapped;
  const segments = path.split('.').filter((segment) => !/^\d+$/.test(segment));
  return snakeKey(segments.at(-1) ?? path);
}

const STATUS: Readonly<Record<string, number>> = {
  UNAUTHENTICATED: 401,
  API_ACCESS_DISABLED: 403,
  FORBIDDEN: 403,
  TENANT_NOT_FOUND: 404,
  NOT_FOUND: 404,
  CONFLICT: 409,
  BAD_USER_INPUT: 422,
  BAD_REQUEST: 400,
  QUERY_TOO_COMPLEX: 400,
  RATE_LIMITED: 429,
};

/**
 * The error that fails a REST request, if any: one at the operation's root field or outside
 * execution (no path), or any error but FORBIDDEN below it. FORBIDDEN on a nested relation (a
 * contact's `status` without `statuses.read`) does not: `pruneRefused` removes that key instead.
 */
export function failureOf(
  errors: readonly GraphQLErrorJson[] | undefined,
): GraphQLErrorJson | undefined {
  if (!errors) return undefined;
  return errors.find(
    (error) => !error.path || error.path.length <= 1 || error.extensions?.code !== 'FORBIDDEN',
  );
}

/** Deletes from `data` each nested field a FORBIDDEN error points at (see `failureOf`). */
export function pruneRefused(data: Record<string, unknown>, errors: readonly GraphQLErrorJson[]) {
  for (const { path } of errors) {
    if (!path || path.length <= 1) continue;
    let parent: unknown = data;
    for (const key of path.slice(0, -1)) parent = (parent as Record<string, unknown> | null)?.[key];
    if (parent && typeof parent === 'object')
      delete (parent as Record<string, unknown>)[path.at(-1)!];
  }
}

/**
 * The REST error for a GraphQL error: the status of its code, `WWW-Authenticate` kept on 401 and
 * `Retry-After` on 429 (from the GraphQL response's headers). BAD_USER_INPUT names its field in
 * REST terms; a size limit is 413; an error without a known code is 500 with no detail.
 */
export function graphqlFailure(
  error: GraphQLErrorJson,
  headers: Headers,
  routeFields?: Readonly<Record<string, string>>,
): Response {
  const code = String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  let status = STATUS[code];
  if (status === undefined) {
    return errorResponse(500, { message: 'Unexpected error.', code: 'INTERNAL_SERVER_ERROR' });
  }
  const extra: Record<string, string> = {};
  if (code === 'QUERY_TOO_COMPLEX' && error.extensions?.limit === 'bodyBytes') {
    status = 413;
    Object.assign(extra, CLOSE_CONNECTION);
  }
  if (status === 401) extra['www-authenticate'] = headers.get('www-authenticate') ?? 'Bearer';
  if (status === 429) {
    const retryAfter = headers.get('retry-after') ?? error.extensions?.retryAfter;
    if (retryAfter != null) extra['retry-after'] = String(retryAfter);
  }
  const body: RestErrorBody = { message: error.message, code };
  if (code === 'BAD_USER_INPUT') {
    const graphqlField =
      typeof error.extensions?.field === 'string' ? error.extensions.field : 'input';
    const field = restField(graphqlField, routeFields);
    // Our messages start with the GraphQL field ("firstName: must not be empty"): name the REST one.
    const prefixed = body.message.startsWith(`${graphqlField}: `);
    const detail = prefixed ? body.message.slice(graphqlField.length + 2) : body.message;
    if (prefixed) body.message = `${field}: ${detail}`;
    body.errors = { [field]: [detail] };
  }
  return errorResponse(status, body, extra);
}
