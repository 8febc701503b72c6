import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import { createApiToken } from '../api-tokens/repo.js';
import { createTenantIfAbsent, findTenantBySubdomain } from './repo.js';

export const DEMO_TENANT = 'demo';

export interface DemoCredentials {
  adminKey: string;
  token: string;
}

/**
 * On a fresh database, creates the `demo` tenant with API access on and a token holding every
 * ability. Returns the secrets when it created them (they cannot be shown again), else undefined.
 * Safe when several instances start at once: exactly one of them creates the tenant and gets the
 * secrets; the others wait for its transaction and get undefined.
 */
export async function ensureDemoTenant(db: Kysely<Database>): Promise<DemoCredentials | undefined> {
  if (await findTenantBySubdomain(db, DEMO_TENANT)) return undefined;
  return db.transaction().execute(async (trx) => {
    const created = await createTenantIfAbsent(trx, {
      subdomain: DEMO_TENANT,
      name: 'Demo workspace',
      apiEnabled: true,
    });
    if (!created) return undefined;
    const { plaintext } = await createApiToken(trx, created.tenant.id, {
      name: 'demo (all abilities)',
      abilities: ['*'],
      expiresAt: null,
    });
    return { adminKey: created.adminKey, token: plaintext };
  });
}
