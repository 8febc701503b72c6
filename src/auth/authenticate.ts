import type { GraphQLError } from 'graphql';
import type { Kysely } from 'kysely';
import { apiError, unauthenticated } from '../errors.js';
import type { Database, Tenant } from '../db/types.js';
import { LAST_USED_RESOLUTION_MS, touchApiToken } from '../api-tokens/repo.js';
import { ANONYMOUS, type Principal } from './principal.js';
import { type Ability, grants } from './abilities.js';
import { ADMIN_KEY_PREFIX, hashSecret, sameHash, TOKEN_PREFIX } from './secrets.js';
import { SUBDOMAIN_PATTERN } from '../tenants/repo.js';
import type { AuthCache } from './auth-cache.js';

const tenantNotFound = (subdomain: string) =>
  apiError('TENANT_NOT_FOUND', `No tenant ${JSON.stringify(subdomain.slice(0, 100))}.`);

export interface Authenticated {
  tenant: Tenant;
  principal: Principal;
}

/** Reads the secret from an `Authorization: Bearer <secret>` value; undefined when malformed. */
export function bearerSecret(authorization: string | null | undefined): string | undefined {
  const match = /^Bearer[ ]+([A-Za-z0-9_\-.~+/]+=*)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

/** The tenant and the token whose hash was looked up (null columns when none matched). */
export type AuthRow = NonNullable<Awaited<ReturnType<typeof lookup>>>;

function lookup(db: Kysely<Database>, subdomain: string, hash: string) {
  return db
    .selectFrom('tenants as t')
    .leftJoin('api_tokens as k', (join) =>
      join.onRef('k.tenant_id', '=', 't.id').on('k.token_hash', '=', hash),
    )
    .selectAll('t')
    .select([
      'k.id as token_id',
      'k.name as token_name',
      'k.token_hash',
      'k.abilities as token_abilities',
      'k.expires_at as token_expires_at',
      'k.revoked_at as token_revoked_at',
      'k.last_used_at as token_last_used_at',
    ])
    .where('t.subdomain', '=', subdomain)
    .executeTakeFirst();
}

export interface AuthenticateOptions {
  /**
   * Called when the secret is missing or refused (UNAUTHENTICATED, API_ACCESS_DISABLED); when it
   * returns true, the anonymous principal is returned instead of the error. An unknown tenant is
   * TENANT_NOT_FOUND regardless.
   */
  allowAnonymous?: () => boolean;
}

/**
 * Resolves the tenant named in the path and the principal behind the bearer secret, in one SQL
 * statement, or none when `cache` has them (see AuthCache: only rows that name a principal are
 * kept). Throws TENANT_NOT_FOUND, UNAUTHENTICATED or API_ACCESS_DISABLED (API.md); never tells a
 * token of another tenant apart from an unknown one.
 */
export async function authenticate(
  db: Kysely<Database>,
  subdomain: string,
  authorization: string | null | undefined,
  now = new Date(),
  cache?: AuthCache<AuthRow>,
  options: AuthenticateOptions = {},
): Promise<Authenticated> {
  // Not a subdomain, so no tenant's; and PostgreSQL's text cannot even hold some (NUL, a 500).
  if (!SUBDOMAIN_PATTERN.test(subdomain)) throw tenantNotFound(subdomain);
  const secret = bearerSecret(authorization);
  const hash = secret ? hashSecret(secret) : '';
  const key = `${subdomain} ${hash}`;
  let row = secret ? cache?.get(key, now.getTime()) : undefined;
  if (!row) {
    const started = cache?.begin() ?? 0;
    row = await lookup(db, subdomain, hash);
    const names = row && (row.token_id !== null || sameHash(hash, row.admin_key_hash));
    if (row && names && secret) cache?.set(key, row, started, now.getTime());
  }

  if (!row) throw tenantNotFound(subdomain);
  try {
    return principalOf(db, row, subdomain, authorization, secret, hash, now);
  } catch (error) {
    if (options.allowAnonymous?.()) return { tenant: tenantOf(row), principal: ANONYMOUS };
    throw error;
  }
}

/**
 * The tenant and token principal of a looked-up row, built once per row: the auth cache hands the
 * same row to every request it serves, so they share one (read-only) tenant and principal, and
 * what is cached by principal (src/auth/verdict.ts, src/contacts/selection.ts) carries over.
 */
const tenants = new WeakMap<AuthRow, Tenant>();
const tokenPrincipals = new WeakMap<AuthRow, Principal>();
const ADMIN: Principal = Object.freeze({ kind: 'admin' });

function tenantOf(row: AuthRow): Tenant {
  let tenant = tenants.get(row);
  if (!tenant) tenants.set(row, (tenant = tenantFields(row)));
  return tenant;
}

function tenantFields(row: AuthRow): Tenant {
  const {
    token_id: _id,
    token_name: _name,
    token_hash: _hash,
    token_abilities: _abilities,
    token_expires_at: _expires,
    token_revoked_at: _revoked,
    token_last_used_at: _used,
    ...tenant
  } = row;
  return tenant;
}

/**
 * The principal `secret` names in the looked-up row; throws UNAUTHENTICATED or
 * API_ACCESS_DISABLED.
 */
function principalOf(
  db: Kysely<Database>,
  row: AuthRow,
  subdomain: string,
  authorization: string | null | undefined,
  secret: string | undefined,
  hash: string,
  now: Date,
): Authenticated {
  const tenant = tenantOf(row);
  const { token_id, token_name, token_hash, token_abilities, token_expires_at, token_revoked_at } =
    row;

  if (!authorization) {
    throw unauthenticated('Authentication required: send "Authorization: Bearer <token>".');
  }
  if (!secret) {
    throw unauthenticated('Malformed Authorization header: expected "Bearer <token>".');
  }

  if (secret.startsWith(ADMIN_KEY_PREFIX)) {
    if (!sameHash(hash, tenant.admin_key_hash)) throw unauthenticated('Invalid admin key.');
    return { tenant, principal: ADMIN };
  }

  if (!secret.startsWith(TOKEN_PREFIX) || !token_id || !token_hash || !sameHash(hash, token_hash)) {
    throw unauthenticated('Invalid API token.');
  }
  if (token_revoked_at) throw unauthenticated('This API token has been revoked.');
  if (token_expires_at && token_expires_at <= now) {
    throw unauthenticated('This API token has expired.');
  }
  if (!tenant.api_enabled) {
    throw apiError('API_ACCESS_DISABLED', `API access is disabled for tenant "${subdomain}".`);
  }
  if (
    !row.token_last_used_at ||
    now.getTime() - row.token_last_used_at.getTime() >= LAST_USED_RESOLUTION_MS
  ) {
    // Best effort, off the request's path: a failed write costs a stale timestamp, not the request.
    // The cached row (if any) remembers it, so the next requests do not write again.
    row.token_last_used_at = now;
    touchApiToken(db, tenant.id, token_id, now).catch(() => {});
  }
  let principal = tokenPrincipals.get(row);
  if (!principal) {
    principal = {
      kind: 'token',
      tokenId: token_id,
      name: token_name ?? '',
      abilities: new Set(token_abilities ?? []),
      expiresAt: token_expires_at,
    };
    tokenPrincipals.set(row, principal);
  }
  return { tenant, principal };
}

/**
 * Re-checks a principal that authenticated earlier (a live subscription): undefined while it still
 * works, else the error its next request would get.
 */
export async function stillAuthorized(
  db: Kysely<Database>,
  tenantId: string,
  principal: Principal,
  needsAnyOf: readonly Ability[] = [],
  now = new Date(),
): Promise<GraphQLError | undefined> {
  if (principal.kind === 'admin') return undefined;
  if (principal.kind === 'anonymous') return unauthenticated('Authentication required.');
  const row = await db
    .selectFrom('api_tokens as k')
    .innerJoin('tenants as t', 't.id', 'k.tenant_id')
    .select(['k.revoked_at', 'k.expires_at', 'k.abilities', 't.api_enabled'])
    .where('k.tenant_id', '=', tenantId)
    .where('k.id', '=', principal.tokenId)
    .executeTakeFirst();
  if (!row || row.revoked_at) return unauthenticated('This API token has been revoked.');
  if (row.expires_at && row.expires_at <= now)
    return unauthenticated('This API token has expired.');
  if (!row.api_enabled)
    return apiError('API_ACCESS_DISABLED', 'API access has been disabled for this tenant.');
  const held = new Set(row.abilities);
  if (needsAnyOf.length > 0 && !needsAnyOf.some((a) => grants(held, a))) {
    return apiError(
      'FORBIDDEN',
      `This token no longer holds ${needsAnyOf.map((a) => `"${a}"`).join(' or ')}.`,
      {
        requiredAbilities: [...needsAnyOf],
      },
    );
  }
  return undefined;
}
