import type { Kysely } from 'kysely';
import type { Database, Tenant } from '../db/types.js';
import { ADMIN_KEY_PREFIX, generateSecret, hashSecret } from '../auth/secrets.js';
import { notify } from '../events.js';

export const SUBDOMAIN_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export async function findTenantBySubdomain(
  db: Kysely<Database>,
  subdomain: string,
): Promise<Tenant | undefined> {
  return db.selectFrom('tenants').selectAll().where('subdomain', '=', subdomain).executeTakeFirst();
}

/** Creates a tenant; returns it with its admin key, which is not stored and cannot be shown again. */
export async function createTenant(
  db: Kysely<Database>,
  input: NewTenant,
): Promise<{ tenant: Tenant; adminKey: string }> {
  const { row, adminKey } = newTenantRow(input);
  const tenant = await db
    .insertInto('tenants')
    .values(row)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { tenant, adminKey };
}

/**
 * Like createTenant, but undefined when the subdomain is taken, also by a transaction not yet
 * committed (the insert waits for it): processes racing to create one tenant never fail on it,
 * and exactly one of them gets the admin key.
 */
export async function createTenantIfAbsent(
  db: Kysely<Database>,
  input: NewTenant,
): Promise<{ tenant: Tenant; adminKey: string } | undefined> {
  const { row, adminKey } = newTenantRow(input);
  const tenant = await db
    .insertInto('tenants')
    .values(row)
    .onConflict((oc) => oc.column('subdomain').doNothing())
    .returningAll()
    .executeTakeFirst();
  return tenant && { tenant, adminKey };
}

interface NewTenant {
  subdomain: string;
  name?: string;
  apiEnabled?: boolean;
}

function newTenantRow(input: NewTenant) {
  const adminKey = generateSecret(ADMIN_KEY_PREFIX);
  const row = {
    subdomain: input.subdomain,
    name: input.name ?? input.subdomain,
    api_enabled: input.apiEnabled ?? false,
    admin_key_hash: hashSecret(adminKey),
  };
  return { row, adminKey };
}

/** Replaces the admin key; the old one stops working at once. Undefined when there is no tenant. */
export async function rotateAdminKey(
  db: Kysely<Database>,
  subdomain: string,
): Promise<{ tenant: Tenant; adminKey: string } | undefined> {
  const adminKey = generateSecret(ADMIN_KEY_PREFIX);
  const tenant = await db
    .updateTable('tenants')
    .set({ admin_key_hash: hashSecret(adminKey), updated_at: new Date() })
    .where('subdomain', '=', subdomain)
    .returningAll()
    .executeTakeFirst();
  // After the write: every instance drops the old key from its auth cache (src/auth/auth-cache.ts).
  if (tenant) await notify(db, { topic: 'auth_changed', tenantId: tenant.id });
  return tenant && { tenant, adminKey };
}

export async function setApiAccess(
  db: Kysely<Database>,
  tenantId: string,
  enabled: boolean,
): Promise<Tenant> {
  const tenant = await db
    .updateTable('tenants')
    .set({ api_enabled: enabled, updated_at: new Date() })
    .where('id', '=', tenantId)
    .returningAll()
    .executeTakeFirstOrThrow();
  // After the write: live subscriptions re-check their access (messages/subscription.ts).
  await notify(db, { topic: 'auth_changed', tenantId });
  return tenant;
}
