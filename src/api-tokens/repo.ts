import type { Kysely } from 'kysely';
import type { ApiToken, Database } from '../db/types.js';
import { generateSecret, hashSecret, secretHint, TOKEN_PREFIX } from '../auth/secrets.js';
import { type ConnectionArgs, paginate } from '../db/connection.js';
import { notify } from '../events.js';

export interface NewApiToken {
  name: string;
  abilities: string[];
  expiresAt: Date | null;
}

/** Creates a token; the plaintext is returned here only and never stored. */
export async function createApiToken(
  db: Kysely<Database>,
  tenantId: string,
  input: NewApiToken,
): Promise<{ apiToken: ApiToken; plaintext: string }> {
  const plaintext = generateSecret(TOKEN_PREFIX);
  const apiToken = await db
    .insertInto('api_tokens')
    .values({
      tenant_id: tenantId,
      name: input.name,
      token_hash: hashSecret(plaintext),
      token_hint: secretHint(plaintext),
      abilities: input.abilities,
      expires_at: input.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { apiToken, plaintext };
}

export async function findApiTokensByIds(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
): Promise<ApiToken[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('api_tokens')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

export function listApiTokens(db: Kysely<Database>, tenantId: string, args: ConnectionArgs) {
  const query = db.selectFrom('api_tokens').selectAll().where('tenant_id', '=', tenantId);
  return paginate(query, args, { column: 'created_at', direction: 'desc', type: 'timestamp' });
}

export async function updateApiToken(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  patch: Partial<NewApiToken>,
): Promise<ApiToken | undefined> {
  const values = {
    ...(patch.name !== undefined && { name: patch.name }),
    ...(patch.abilities !== undefined && { abilities: patch.abilities }),
    ...(patch.expiresAt !== undefined && { expires_at: patch.expiresAt }),
  };
  // Nothing to change (`UPDATE … SET` with no column is a syntax error): the token as it is.
  if (Object.keys(values).length === 0) {
    const [current] = await findApiTokensByIds(db, tenantId, [id]);
    return current;
  }
  const token = await db
    .updateTable('api_tokens')
    .set(values)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  // After the write: live subscriptions of the tenant re-check their token (messages/subscription.ts).
  if (token) await notify(db, { topic: 'auth_changed', tenantId });
  return token;
}

/** Revokes a token from the next request on. Revoking twice keeps the first time. */
export async function revokeApiToken(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<ApiToken | undefined> {
  await db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
  await notify(db, { topic: 'auth_changed', tenantId });
  const [token] = await findApiTokensByIds(db, tenantId, [id]);
  return token;
}

/** Records use at most once a minute per token, so requests do not each write. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export async function touchApiToken(db: Kysely<Database>, tenantId: string, id: string, now: Date) {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}
