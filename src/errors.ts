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
  // `spec: false`: yoga would otherwise answer a refusal raised while parsing or validating (the
  // document limits) with 200 to an `Accept: application/json` client, not the status above.
  const http = { status, headers, spec: false };
  return new GraphQLError(message, {
    extensions: { code, ...extensions, ...(status !== 200 && { http }) },
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

/**
 * Runs a write whose table has a case-insensitive unique name per tenant (`constraint`); losing
 * that rule, even in a race, is CONFLICT on `name` rather than a 500.
 */
export async function uniqueName<T>(
  write: Promise<T>,
  constraint: string,
  what: string,
  name: string | undefined,
): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isUniqueViolation(error, constraint)) {
      throw conflict('name', `A ${what} named ${JSON.stringify(name)} already exists.`);
    }
    throw error;
  }
}
