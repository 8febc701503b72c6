import type { Kysely } from 'kysely';
import type { Database, Message, MessageStatusEvent } from '../db/types.js';
import { type ConnectionArgs, paginate } from '../db/connection.js';
import { notify } from '../events.js';
import type { MessageContent } from './content.js';
import type { MessageStatus } from './status.js';

export interface NewMessage {
  contactId: string | null;
  toPhone: string;
  message: MessageContent;
  templateId: string | null;
  idempotencyKey: string | null;
  transport: 'sandbox' | 'cloud';
}

/**
 * Accepts a message into the outbox as QUEUED, with its first history entry, in one transaction.
 * With an idempotency key already used in the tenant, nothing is written and the first message is
 * returned with `replayed: true` (the caller checks it is the same request).
 */
export async function enqueueMessage(
  db: Kysely<Database>,
  tenantId: string,
  input: NewMessage,
): Promise<{ message: Message; replayed: boolean }> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('messages')
      .values({
        tenant_id: tenantId,
        contact_id: input.contactId,
        to_phone: input.toPhone,
        type: input.message.type,
        content: JSON.stringify(input.message.content),
        template_id: input.templateId,
        idempotency_key: input.idempotencyKey,
        transport: input.transport,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) {
      const first = await trx
        .selectFrom('messages')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('idempotency_key', '=', input.idempotencyKey)
        .executeTakeFirstOrThrow();
      return { message: first, replayed: true };
    }
    await trx
      .insertInto('message_status_events')
      .values({
        tenant_id: tenantId,
        message_id: inserted.id,
        status: 'QUEUED',
        previous_status: null,
        occurred_at: inserted.created_at,
        source: 'api',
      } as never)
      .execute();
    await notify(trx, {
      topic: 'message_status',
      tenantId,
      messageId: inserted.id,
      contactId: inserted.contact_id,
      status: 'QUEUED',
      previousStatus: null,
      occurredAt: inserted.created_at.toISOString(),
      eventId: `${inserted.id}:QUEUED`,
    });
    return { message: inserted, replayed: false };
  });
}

export async function findMessagesByIds(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
): Promise<Message[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

export interface MessageFilter {
  contactId?: string | null;
  status?: MessageStatus | null;
  type?: 'TEXT' | 'MEDIA' | 'TEMPLATE' | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

/** Newest first. */
export function listMessages(
  db: Kysely<Database>,
  tenantId: string,
  filter: MessageFilter,
  args: ConnectionArgs,
) {
  let query = db.selectFrom('messages').selectAll().where('tenant_id', '=', tenantId);
  if (filter.contactId) query = query.where('contact_id', '=', filter.contactId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.createdAfter) query = query.where('created_at', '>=', filter.createdAfter);
  if (filter.createdBefore) query = query.where('created_at', '<', filter.createdBefore);
  return paginate(query, args, { column: 'created_at', direction: 'desc', type: 'timestamp' });
}

/** Status history of several messages, oldest first per message, in key order (DataLoader). */
export async function statusHistories(
  db: Kysely<Database>,
  tenantId: string,
  messageIds: readonly string[],
): Promise<MessageStatusEvent[][]> {
  const rows = messageIds.length
    ? await db
        .selectFrom('message_status_events')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('message_id', 'in', messageIds)
        .orderBy('id')
        .execute()
    : [];
  const byMessage = new Map<string, MessageStatusEvent[]>();
  for (const row of rows) {
    const list = byMessage.get(row.message_id) ?? [];
    list.push(row);
    byMessage.set(row.message_id, list);
  }
  return messageIds.map((id) => byMessage.get(id) ?? []);
}
