import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/types.js';
import { ensureDemoTenant, DEMO_TENANT } from '../../src/tenants/bootstrap.js';
import { findTenantBySubdomain } from '../../src/tenants/repo.js';
import { seedContacts } from './contacts.js';
import { seedTemplatesAndBots } from './templates.js';

const STATUSES = [
  { name: 'New lead', color: '#3b82f6' },
  { name: 'Contacted', color: '#f59e0b' },
  { name: 'Qualified', color: '#8b5cf6' },
  { name: 'Customer', color: '#22c55e' },
  { name: 'Lost', color: '#ef4444' },
];

/** Demo data for the `demo` tenant; running it again adds nothing twice. */
export async function seedDemo(
  db: Kysely<Database>,
): Promise<{ tenant: string; counts: Record<string, number> }> {
  await ensureDemoTenant(db);
  const tenant = (await findTenantBySubdomain(db, DEMO_TENANT))!;
  const statuses = await db
    .insertInto('statuses')
    .values(STATUSES.map((s) => ({ ...s, tenant_id: tenant.id })))
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .execute();
  const counts: Record<string, number> = { statuses: statuses.length };
  // --- module seeds: each adds its own counts, e.g. Object.assign(counts, await seedContacts(db, tenant.id));
  Object.assign(counts, await seedContacts(db, tenant.id));
  Object.assign(counts, await seedTemplatesAndBots(db, tenant.id));
  // --- end module seeds
  return { tenant: DEMO_TENANT, counts };
}
