import { GraphQLError } from 'graphql';

/** The error codes of API.md, with the HTTP status each one carries when it fails a whole request. */
export const ERROR_STATUS = {
  UNAUTHENTICATED: 401,
  API_ACCESS_DISABLED: 403,
  TENANT_NOT_FOUND: 404,
  FORBIDDEN: 200,
  BAD_USER_INPUT: 200,
  NOT_FOUND: 200,
  CONFLICT: 200,
  RATE_LIMITED: 429,
  QUERY_TOO_COMPLEX: 400,
  INTERNAL_SERVER_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** An expected error: shown to the client as is, with `extensions.code`. */
export function apiError(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): GraphQLError {
  const status = ERROR_STATUS[code];
  return new GraphQLError(message, {
    extensions: { code, ...extensions, ...(status !== 200 && { http: { status, headers } }) },
  });
}

export const unauthenticated = (message: string) =>
  apiError('UNAUTHENTICATED', message, {}, { 'WWW-Authenticate': 'Bearer' });

export const badUserInput = (field: string, message: string) =>
  apiError('BAD_USER_INPUT', message, { field });

export const notFound = (what: string, id: string) =>
  apiError('NOT_FOUND', `No ${what} with id ${JSON.stringify(id)} in this tenant.`, { id });

export const conflict = (field: string, message: string) =>
  apiError('CONFLICT', message, { field });

/** PostgreSQL's unique_violation, for turning a lost race into CONFLICT rather than a 500. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string };
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
