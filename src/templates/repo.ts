import { type Kysely, sql } from 'kysely';
import type { Database, Template } from '../db/types.js';
import { type ConnectionArgs, paginate } from '../db/connection.js';
import { describeComponents } from './components.js';

/** A message template as Meta's Graph API returns it (`GET /{waba-id}/message_templates`). */
export interface MetaTemplate {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string;
  components?: Record<string, unknown>[];
  rejected_reason?: string;
}

export interface TemplateFilter {
  status?: string | null;
  category?: string | null;
  language?: string | null;
  /** Case-insensitive substring of the name or the body text. */
  search?: string | null;
  /** Removed templates (no longer listed by Meta) are left out unless this is true. */
  includeRemoved?: boolean | null;
}

export interface SyncCounts {
  created: number;
  updated: number;
  unchanged: number;
  removed: number;
}

export async function findTemplatesByIds(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
): Promise<Template[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('templates')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

/** The template a send names by (name, language); removed templates are not found. */
export async function findTemplateByNameAndLanguage(
  db: Kysely<Database>,
  tenantId: string,
  name: string,
  language: string,
): Promise<Template | undefined> {
  return db
    .selectFrom('templates')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name)
    .where('language', '=', language)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export function listTemplates(
  db: Kysely<Database>,
  tenantId: string,
  filter: TemplateFilter,
  args: ConnectionArgs,
) {
  let query = db.selectFrom('templates').selectAll().where('tenant_id', '=', tenantId);
  if (!filter.includeRemoved) query = query.where('removed_at', 'is', null);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.category) query = query.where('category', '=', filter.category);
  if (filter.language) query = query.where('language', '=', filter.language);
  if (filter.search?.trim()) {
    const pattern = `%${escapeLike(filter.search.trim())}%`;
    query = query.where((eb) =>
      eb.or([eb('name', 'ilike', pattern), eb('body_text', 'ilike', pattern)]),
    );
  }
  return paginate(query, args, { column: 'name', direction: 'asc', type: 'text' });
}

function toRow(tenantId: string, template: MetaTemplate, now: Date) {
  const components = Array.isArray(template.components) ? template.components : [];
  const rejected = template.rejected_reason;
  return {
    tenant_id: tenantId,
    meta_id: String(template.id),
    name: String(template.name),
    language: String(template.language),
    category: String(template.category ?? '').toUpperCase(),
    status: String(template.status ?? '').toUpperCase(),
    components: JSON.stringify(components),
    body_text: describeComponents(components).body,
    // Meta sends "NONE" for a template that was never rejected.
    rejected_reason: rejected && rejected !== 'NONE' ? rejected : null,
    removed_at: null,
    synced_at: now,
  };
}

/**
 * Makes the tenant's templates match `listed` (everything Meta lists for the account): upserts by
 * (tenant, Meta id), counts only real changes as updated, and flags templates Meta no longer
 * lists (removed_at) rather than deleting them, so template bots and sent messages keep their
 * template. One transaction, serialised per tenant, so two syncs cannot interleave.
 */
export async function applyTemplateSync(
  db: Kysely<Database>,
  tenantId: string,
  listed: readonly MetaTemplate[],
): Promise<SyncCounts> {
  const now = new Date();
  const byMetaId = new Map(listed.map((t) => [String(t.id), t]));
  const rows = [...byMetaId.values()].map((t) => toRow(tenantId, t, now));
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`templates-sync:${tenantId}`}, 0))`.execute(
      trx,
    );
    // Removed first: a template recreated under a new Meta id may reuse a removed one's name.
    let removeQuery = trx
      .updateTable('templates')
      .set({ removed_at: now, updated_at: now })
      .where('tenant_id', '=', tenantId)
      .where('removed_at', 'is', null);
    if (byMetaId.size > 0)
      removeQuery = removeQuery.where('meta_id', 'not in', [...byMetaId.keys()]);
    const removed = await removeQuery.executeTakeFirst();

    let created = 0;
    let updated = 0;
    for (let i = 0; i < rows.length; i += 500) {
      const written = await trx
        .insertInto('templates')
        .values(rows.slice(i, i + 500))
        .onConflict((oc) =>
          oc
            .columns(['tenant_id', 'meta_id'])
            .doUpdateSet((eb) => ({
              name: eb.ref('excluded.name'),
              language: eb.ref('excluded.language'),
              category: eb.ref('excluded.category'),
              status: eb.ref('excluded.status'),
              components: eb.ref('excluded.components'),
              body_text: eb.ref('excluded.body_text'),
              rejected_reason: eb.ref('excluded.rejected_reason'),
              removed_at: null,
              synced_at: now,
              updated_at: now,
            }))
            .where(
              sql<boolean>`(templates.name, templates.language, templates.category, templates.status,
                templates.components, templates.rejected_reason, templates.removed_at)
                IS DISTINCT FROM (excluded.name, excluded.language, excluded.category,
                excluded.status, excluded.components, excluded.rejected_reason, NULL::timestamptz)`,
            ),
        )
        .returning(sql<boolean>`xmax = 0`.as('inserted'))
        .execute();
      created += written.filter((w) => w.inserted).length;
      updated += written.length - written.filter((w) => w.inserted).length;
    }
    if (byMetaId.size > 0) {
      await trx
        .updateTable('templates')
        .set({ synced_at: now })
        .where('tenant_id', '=', tenantId)
        .where('meta_id', 'in', [...byMetaId.keys()])
        .execute();
    }
    return {
      created,
      updated,
      unchanged: rows.length - created - updated,
      removed: Number(removed.numUpdatedRows),
    };
  });
}
