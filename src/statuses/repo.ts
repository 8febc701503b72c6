import type { Kysely } from 'kysely';
import type { Database, Status } from '../db/types.js';
import { type ConnectionArgs, paginate } from '../db/connection.js';

export async function findStatusesByIds(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
): Promise<Status[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('statuses')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

export function listStatuses(db: Kysely<Database>, tenantId: string, args: ConnectionArgs) {
  const query = db.selectFrom('statuses').selectAll().where('tenant_id', '=', tenantId);
  return paginate(query, args, { column: 'name', direction: 'asc', type: 'text' });
}

export async function createStatus(
  db: Kysely<Database>,
  tenantId: string,
  input: { name: string; color: string },
): Promise<Status> {
  return db
    .insertInto('statuses')
    .values({ tenant_id: tenantId, ...input })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateStatus(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  patch: { name?: string; color?: string },
): Promise<Status | undefined> {
  return db
    .updateTable('statuses')
    .set({ ...patch, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteStatus(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<Status | undefined> {
  return db
    .deleteFrom('statuses')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}
