import { type Kysely, sql } from 'kysely';
import type { Database, MessageBot, MessageBotContent } from '../db/types.js';
import { type ConnectionArgs, paginate } from '../db/connection.js';

export interface BotFilter {
  active?: boolean | null;
  triggerType?: string | null;
  /** Case-insensitive part of the name or of a keyword. */
  search?: string | null;
}

export interface MessageBotRow {
  name: string;
  triggerType: string;
  keywords: string[];
  replyType: string;
  content: MessageBotContent;
  active: boolean;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function findMessageBotsByIds(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
): Promise<MessageBot[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('message_bots')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

export function listMessageBots(
  db: Kysely<Database>,
  tenantId: string,
  filter: BotFilter,
  args: ConnectionArgs,
) {
  let query = db.selectFrom('message_bots').selectAll().where('tenant_id', '=', tenantId);
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

const toColumns = (bot: MessageBotRow) => ({
  name: bot.name,
  trigger_type: bot.triggerType,
  keywords: bot.keywords,
  reply_type: bot.replyType,
  content: JSON.stringify(bot.content),
  active: bot.active,
});

export async function createMessageBot(
  db: Kysely<Database>,
  tenantId: string,
  bot: MessageBotRow,
): Promise<MessageBot> {
  return db
    .insertInto('message_bots')
    .values({ tenant_id: tenantId, ...toColumns(bot) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateMessageBot(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  bot: MessageBotRow,
): Promise<MessageBot | undefined> {
  return db
    .updateTable('message_bots')
    .set({ ...toColumns(bot), updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteMessageBot(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<MessageBot | undefined> {
  return db
    .deleteFrom('message_bots')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}
