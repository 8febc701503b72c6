import type { Kysely } from 'kysely';
import type { Database, Message, MessageError } from '../db/types.js';
import { notifyAll } from '../events.js';
import { foldReports, lockMessagesOf, writeBatch } from './status-batch.js';
import type { MessageStatus } from './status.js';

/**
 * Every change of a message's delivery status goes through `applyStatuses` (or `applyStatus`, a
 * batch of one): one transaction that locks the rows, moves each status only forward, keeps the
 * history, and publishes the changes (delivered to subscribers once committed). Duplicates and
 * late arrivals change nothing.
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

/**
 * Applies one report: a batch of one (see `applyStatuses`). Duplicates and late arrivals change
 * nothing.
 */
export async function applyStatus(
  db: Kysely<Database>,
  report: StatusReport,
): Promise<ApplyResult> {
  const [result] = await applyStatuses(db, [report]);
  return result!;
}

/**
 * Applies reports (a webhook POST's statuses, or a dispatcher batch's) in one transaction with a
 * fixed number of statements, whatever their count: one locks every message they name, in id
 * order (so concurrent batches never deadlock), then the reports are folded over the locked rows
 * in the order given, exactly as `applyStatus` one after the other would (`advance`: only forward;
 * a late DELIVERED after READ keeps its timestamp; a report naming our id adopts Meta's wamid), and
 * one statement writes the rows and one history row per applied change, one more publishes one
 * event per applied change. Duplicates, also within the batch, change nothing. Each report reaches
 * only its own tenant's message. Results are in the order of `reports`; a result's `message` is the
 * row as the batch left it.
 */
export async function applyStatuses(
  db: Kysely<Database>,
  reports: readonly StatusReport[],
): Promise<ApplyResult[]> {
  if (reports.length === 0) return [];
  return db.transaction().execute(async (trx) => {
    const batch = foldReports(await lockMessagesOf(trx, reports), reports);
    await writeBatch(trx, batch);
    await notifyAll(trx, batch.events);
    return batch.results;
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
