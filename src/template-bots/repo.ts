import { type Kysely, sql } from 'kysely';
import type { Database, TemplateBot, TemplateBotParameters } from '../db/types.js';
import { type ConnectionArgs, paginate } from '../db/connection.js';
import type { BotFilter } from '../message-bots/repo.js';

export interface TemplateBotRow {
  name: string;
  triggerType: string;
  keywords: string[];
  templateId: string;
  parameters: TemplateBotParameters;
  active: boolean;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function findTemplateBotsByIds(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
): Promise<TemplateBot[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('template_bots')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

export function listTemplateBots(
  db: Kysely<Database>,
  tenantId: string,
  filter: BotFilter,
  args: ConnectionArgs,
) {
  let query = db.selectFrom('template_bots').selectAll().where('tenant_id', '=', tenantId);
  if (filter.active != null) query = query.where('active', '=', filter.active);
  if (filter.triggerType) query = query.where('trigger_type', '=', filter.triggerType);
  if (filter.search?.trim()) {
    const pattern = `%${escapeLike(filter.search.trim())}%`;
    query = query.where((eb) =>
      eb.or([
        eb('name', 'ilike', pattern),
        sql<boolean>`exists (select 1 from unnest(keywords) k where k ilike ${pattern})`,
      ]),
    );
  }
  return paginate(query, args, { column: 'name', direction: 'asc', type: 'text' });
}

const toColumns = (bot: TemplateBotRow) => ({
  name: bot.name,
  trigger_type: bot.triggerType,
  keywords: bot.keywords,
  template_id: bot.templateId,
  parameters: JSON.stringify(bot.parameters),
  active: bot.active,
});

export async function createTemplateBot(
  db: Kysely<Database>,
  tenantId: string,
  bot: TemplateBotRow,
): Promise<TemplateBot> {
  return db
    .insertInto('template_bots')
    .values({ tenant_id: tenantId, ...toColumns(bot) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateTemplateBot(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  bot: TemplateBotRow,
): Promise<TemplateBot | undefined> {
  return db
    .updateTable('template_bots')
    .set({ ...toColumns(bot), updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteTemplateBot(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<TemplateBot | undefined> {
  return db
    .deleteFrom('template_bots')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}
