import { type Kysely, sql } from 'kysely';
import type { Database, Message, MessageError } from '../db/types.js';
import { notify } from '../events.js';
import { advance, type MessageStatus } from './status.js';

/**
 * Every change of a message's delivery status goes through `applyStatus`: one transaction that
 * locks the row, moves the status only forward, keeps the history, and publishes the change
 * (delivered to subscribers once committed). Duplicates and late arrivals change nothing.
 */
export interface StatusReport {
  tenantId: string;
  /** The message by our id (dispatcher, sandbox, or a webhook's biz_opaque_callback_data)... */
  messageId?: string;
  /** ...or by Meta's id. */
  wamid?: string;
  status: MessageStatus;
  occurredAt: Date;
  error?: MessageError | null;
  source: 'dispatcher' | 'webhook' | 'sandbox' | 'api';
}

export type ApplyResult =
  | { applied: true; message: Message; previous: MessageStatus }
  | { applied: false; reason: 'unknown' | 'unchanged'; message?: Message };

const TIMESTAMP: Partial<
  Record<MessageStatus, 'sent_at' | 'delivered_at' | 'read_at' | 'failed_at'>
> = {
  SENT: 'sent_at',
  DELIVERED: 'delivered_at',
  READ: 'read_at',
  FAILED: 'failed_at',
};

export async function applyStatus(
  db: Kysely<Database>,
  report: StatusReport,
): Promise<ApplyResult> {
  return db.transaction().execute(async (trx) => {
    let query = trx.selectFrom('messages').selectAll().where('tenant_id', '=', report.tenantId);
    if (report.messageId && report.wamid) {
      // A webhook for a send whose response we never recorded (crash): match our id, adopt the wamid.
      query = query.where((eb) =>
        eb.or([
          eb('wamid', '=', report.wamid!),
          eb.and([eb('id', '=', report.messageId!), eb('wamid', 'is', null)]),
        ]),
      );
    } else if (report.wamid) {
      query = query.where('wamid', '=', report.wamid);
    } else {
      query = query.where('id', '=', report.messageId!);
    }
    const current = await query.forUpdate().executeTakeFirst();
    if (!current) return { applied: false, reason: 'unknown' } as const;

    const next = advance(current.status, report.status);
    const column = TIMESTAMP[report.status];
    if (!next) {
      // Out of order (e.g. DELIVERED after READ): the state stays, the missing timestamp is kept.
      if (
        column &&
        current[column] === null &&
        report.status !== 'FAILED' &&
        current.status !== 'FAILED'
      ) {
        await trx
          .updateTable('messages')
          .set({ [column]: report.occurredAt })
          .where('id', '=', current.id)
          .execute();
      }
      if (report.wamid && !current.wamid) {
        await trx
          .updateTable('messages')
          .set({ wamid: report.wamid })
          .where('id', '=', current.id)
          .execute();
      }
      return { applied: false, reason: 'unchanged', message: current } as const;
    }

    const message = await trx
      .updateTable('messages')
      .set({
        status: next,
        updated_at: new Date(),
        ...(column && { [column]: report.occurredAt }),
        ...(report.wamid && !current.wamid && { wamid: report.wamid }),
        ...(next === 'FAILED' && { error: JSON.stringify(report.error ?? null) }),
        // Past QUEUED, the dispatcher is done with it.
        claimed_until: null,
      })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('message_status_events')
      .values({
        tenant_id: report.tenantId,
        message_id: current.id,
        status: next,
        previous_status: current.status,
        occurred_at: report.occurredAt,
        error: report.error ? JSON.stringify(report.error) : null,
        source: report.source,
      } as never)
      .execute();
    await notify(trx, {
      topic: 'message_status',
      tenantId: report.tenantId,
      messageId: current.id,
      contactId: current.contact_id,
      status: next,
      previousStatus: current.status,
      occurredAt: report.occurredAt.toISOString(),
      eventId: `${current.id}:${next}`,
    });
    return { applied: true, message, previous: current.status } as const;
  });
}

/**
 * Claims up to `limit` due messages for sending: QUEUED, no wamid, not claimed by a live
 * dispatcher, and — if a send was started and never answered (a crash) — only after `inDoubtMs`,
 * long enough for Meta's status webhook (which names our id) to settle it first.
 */
export async function claimDue(
  db: Kysely<Database>,
  options: { limit: number; leaseMs: number; inDoubtMs: number },
): Promise<Message[]> {
  const { rows } = await sql<Message>`
    UPDATE messages SET
      claimed_until = now() + ${`${options.leaseMs} milliseconds`}::interval,
      sending_started_at = now(),
      attempts = attempts + 1,
      updated_at = now()
    WHERE id IN (
      SELECT id FROM messages
      WHERE status = 'QUEUED' AND wamid IS NULL AND next_attempt_at <= now()
        AND (claimed_until IS NULL OR claimed_until < now())
        AND (sending_started_at IS NULL OR sending_started_at < now() - ${`${options.inDoubtMs} milliseconds`}::interval)
      ORDER BY next_attempt_at, created_at
      FOR UPDATE SKIP LOCKED
      LIMIT ${options.limit}
    )
    RETURNING *`.execute(db);
  return rows;
}

/** Meta accepted the message: record its wamid and SENT. */
export async function recordAccepted(
  db: Kysely<Database>,
  message: Message,
  wamid: string,
): Promise<void> {
  await applyStatus(db, {
    tenantId: message.tenant_id,
    messageId: message.id,
    wamid,
    status: 'SENT',
    occurredAt: new Date(),
    source: 'dispatcher',
  });
}

/**
 * The send did not go through. `inDoubt`: we cannot know whether Meta accepted it (timeout, lost
 * connection, 5xx), so the retry waits out the in-doubt window; otherwise it is retried after
 * `retryInMs`, or FAILED when not retryable.
 */
export async function recordFailure(
  db: Kysely<Database>,
  message: Message,
  outcome: { retryInMs: number | null; inDoubt: boolean; error: MessageError },
): Promise<void> {
  if (outcome.retryInMs === null) {
    await applyStatus(db, {
      tenantId: message.tenant_id,
      messageId: message.id,
      status: 'FAILED',
      occurredAt: new Date(),
      error: outcome.error,
      source: 'dispatcher',
    });
    return;
  }
  await db
    .updateTable('messages')
    .set({
      claimed_until: null,
      next_attempt_at: new Date(Date.now() + outcome.retryInMs),
      error: JSON.stringify(outcome.error),
      updated_at: new Date(),
      ...(!outcome.inDoubt && { sending_started_at: null }),
    })
    .where('id', '=', message.id)
    .where('status', '=', 'QUEUED')
    .execute();
}

/** Gives claimed, unsent messages back (graceful shutdown), so another dispatcher takes them now. */
export async function releaseClaims(db: Kysely<Database>, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('messages')
    .set({ claimed_until: null, sending_started_at: null })
    .where('id', 'in', ids)
    .where('status', '=', 'QUEUED')
    .where('wamid', 'is', null)
    .execute();
}
