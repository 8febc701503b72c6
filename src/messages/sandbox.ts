import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.js';
import { applyStatus } from './delivery.js';

/**
 * The sandbox's stand-in for Meta's delivery reports: a sandbox message SENT for `delivered` ms
 * becomes DELIVERED, and DELIVERED for `read` ms becomes READ, through the same applyStatus path
 * as a webhook. Driven by the dispatcher loop from the database, so it survives restarts.
 */
export async function advanceSandbox(
  db: Kysely<Database>,
  delays: { delivered: number; read: number },
): Promise<number> {
  const due = await db
    .selectFrom('messages')
    .select(['id', 'tenant_id', 'status'])
    .where('transport', '=', 'sandbox')
    .where((eb) =>
      eb.or([
        eb.and([
          eb('status', '=', 'SENT'),
          eb('sent_at', '<=', sql<Date>`now() - ${`${delays.delivered} milliseconds`}::interval`),
        ]),
        eb.and([
          eb('status', '=', 'DELIVERED'),
          eb('delivered_at', '<=', sql<Date>`now() - ${`${delays.read} milliseconds`}::interval`),
        ]),
      ]),
    )
    .limit(100)
    .execute();
  for (const message of due) {
    await applyStatus(db, {
      tenantId: message.tenant_id,
      messageId: message.id,
      status: message.status === 'SENT' ? 'DELIVERED' : 'READ',
      occurredAt: new Date(),
      source: 'sandbox',
    });
  }
  return due.length;
}
