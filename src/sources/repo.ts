import type { Kysely } from 'kysely';
import type { Database, Source } from '../db/types.js';
import { type ConnectionArgs, paginate } from '../db/connection.js';

export async function findSourcesByIds(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
): Promise<Source[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('sources')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

export function listSources(db: Kysely<Database>, tenantId: string, args: ConnectionArgs) {
  const query = db.selectFrom('sources').selectAll().where('tenant_id', '=', tenantId);
  return paginate(query, args, { column: 'name', direction: 'asc', type: 'text' });
}

export async function createSource(
  db: Kysely<Database>,
  tenantId: string,
  input: { name: string },
): Promise<Source> {
  return db
    .insertInto('sources')
    .values({ tenant_id: tenantId, ...input })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateSource(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  patch: { name?: string },
): Promise<Source | undefined> {
  return db
    .updateTable('sources')
    .set({ ...patch, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the source; its contacts keep existing with no source (ON DELETE SET NULL). */
export async function deleteSource(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<Source | undefined> {
  return db
    .deleteFrom('sources')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}
