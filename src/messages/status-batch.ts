import { type Kysely, sql } from 'kysely';
import type { Database, Message } from '../db/types.js';
import type { BusEvent } from '../events.js';
import type { ApplyResult, StatusReport } from './delivery.js';
import { advance, type MessageStatus } from './status.js';

/**
 * The three steps of `applyStatuses` (src/messages/delivery.ts): lock the messages a batch of
 * reports names, fold the reports over them, write the outcome back.
 */

/** The column that records when a message reached each status. */
const TIMESTAMP: Partial<
  Record<MessageStatus, 'sent_at' | 'delivered_at' | 'read_at' | 'failed_at'>
> = {
  SENT: 'sent_at',
  DELIVERED: 'delivered_at',
  READ: 'read_at',
  FAILED: 'failed_at',
};

/**
 * The messages the reports name, locked: by wamid, or by our id (when the report has no wamid, or
 * the message none yet), each within the report's tenant.
 */
export async function lockMessagesOf(
  trx: Kysely<Database>,
  reports: readonly StatusReport[],
): Promise<Message[]> {
  const tenants = reports.map((r) => r.tenantId);
  const wamids = reports.map((r) => r.wamid ?? null);
  const ids = reports.map((r) => r.messageId ?? null);
  const { rows } = await sql<Message>`
    WITH report AS (
      SELECT * FROM unnest(${tenants}::uuid[], ${wamids}::text[], ${ids}::uuid[])
        AS r(tenant_id, wamid, id)
    )
    SELECT * FROM messages
    WHERE id IN (
      SELECT m.id FROM report r
        JOIN messages m ON m.wamid = r.wamid AND m.tenant_id = r.tenant_id
      UNION
      SELECT m.id FROM report r
        JOIN messages m ON m.id = r.id AND m.tenant_id = r.tenant_id
       WHERE r.wamid IS NULL OR m.wamid IS NULL
    )
    ORDER BY id
    FOR UPDATE`.execute(trx);
  return rows;
}

export interface Batch {
  results: ApplyResult[];
  /** The rows to write back; `failedNow`: the batch failed it, so its error is set. */
  changed: Map<string, { row: Message; failedNow: boolean }>;
  history: {
    tenantId: string;
    messageId: string;
    status: MessageStatus;
    previous: MessageStatus;
    occurredAt: Date;
    error: string | null;
    source: StatusReport['source'];
  }[];
  events: BusEvent[];
}

/** `applyStatus`'s rules, report by report, over the locked rows (changed in place). */
export function foldReports(rows: Message[], reports: readonly StatusReport[]): Batch {
  const byWamid = new Map<string, Message>();
  const byId = new Map<string, Message>();
  for (const row of rows) {
    byId.set(row.id, row);
    if (row.wamid) byWamid.set(row.wamid, row);
  }
  const batch: Batch = { results: [], changed: new Map(), history: [], events: [] };
  const now = new Date();
  for (const report of reports) {
    const mine = (row: Message | undefined) =>
      row?.tenant_id === report.tenantId ? row : undefined;
    let row = report.wamid ? mine(byWamid.get(report.wamid)) : undefined;
    if (!row && report.messageId) {
      const byOurId = mine(byId.get(report.messageId));
      if (byOurId && (!report.wamid || !byOurId.wamid)) row = byOurId;
    }
    if (!row) {
      batch.results.push({ applied: false, reason: 'unknown' });
      continue;
    }
    const change = batch.changed.get(row.id) ?? { row, failedNow: false };
    const adoptWamid = () => {
      // A webhook for a send whose response we never recorded (crash): adopt Meta's wamid.
      if (!report.wamid || row.wamid) return;
      row.wamid = report.wamid;
      byWamid.set(report.wamid, row);
      batch.changed.set(row.id, change);
    };
    const previous = row.status;
    const next = advance(previous, report.status);
    const column = TIMESTAMP[report.status];
    if (!next) {
      // Out of order (e.g. DELIVERED after READ): the state stays, the missing timestamp is kept.
      if (column && row[column] === null && report.status !== 'FAILED' && previous !== 'FAILED') {
        row[column] = report.occurredAt;
        batch.changed.set(row.id, change);
      }
      adoptWamid();
      batch.results.push({ applied: false, reason: 'unchanged', message: row });
      continue;
    }
    row.status = next;
    row.updated_at = now;
    if (column) row[column] = report.occurredAt;
    adoptWamid();
    if (next === 'FAILED') {
      row.error = report.error ?? null;
      change.failedNow = true;
    }
    // Past QUEUED, the dispatcher is done with it.
    row.claimed_until = null;
    batch.changed.set(row.id, change);
    batch.history.push({
      tenantId: report.tenantId,
      messageId: row.id,
      status: next,
      previous,
      occurredAt: report.occurredAt,
      error: report.error ? JSON.stringify(report.error) : null,
      source: report.source,
    });
    batch.events.push({
      topic: 'message_status',
      tenantId: report.tenantId,
      messageId: row.id,
      contactId: row.contact_id,
      status: next,
      previousStatus: previous,
      occurredAt: report.occurredAt.toISOString(),
      eventId: `${row.id}:${next}`,
    });
    batch.results.push({ applied: true, message: row, previous });
  }
  return batch;
}

/** The changed rows and the history rows, in one statement (nothing when nothing changed). */
export async function writeBatch(trx: Kysely<Database>, batch: Batch): Promise<void> {
  if (batch.changed.size === 0) return;
  const changed = [...batch.changed.values()];
  const column = <T>(pick: (change: (typeof changed)[number]) => T) => changed.map(pick);
  const { history } = batch;
  await sql`
    WITH updated AS (
      UPDATE messages m SET
        status = c.status, wamid = c.wamid, updated_at = c.updated_at,
        sent_at = c.sent_at, delivered_at = c.delivered_at, read_at = c.read_at,
        failed_at = c.failed_at, claimed_until = c.claimed_until,
        error = CASE WHEN c.failed_now THEN c.error::jsonb ELSE m.error END
      FROM unnest(
        ${column((c) => c.row.id)}::uuid[], ${column((c) => c.row.status)}::text[],
        ${column((c) => c.row.wamid)}::text[], ${column((c) => c.row.updated_at)}::timestamptz[],
        ${column((c) => c.row.sent_at)}::timestamptz[],
        ${column((c) => c.row.delivered_at)}::timestamptz[],
        ${column((c) => c.row.read_at)}::timestamptz[],
        ${column((c) => c.row.failed_at)}::timestamptz[],
        ${column((c) => c.row.claimed_until)}::timestamptz[],
        ${column((c) => c.failedNow)}::boolean[],
        ${column((c) => JSON.stringify(c.row.error))}::text[]
      ) AS c(id, status, wamid, updated_at, sent_at, delivered_at, read_at, failed_at,
             claimed_until, failed_now, error)
      WHERE m.id = c.id
    )
    INSERT INTO message_status_events
      (tenant_id, message_id, status, previous_status, occurred_at, error, source)
    SELECT tenant_id, message_id, status, previous_status, occurred_at, error::jsonb, source
      FROM unnest(
        ${history.map((h) => h.tenantId)}::uuid[], ${history.map((h) => h.messageId)}::uuid[],
        ${history.map((h) => h.status)}::text[], ${history.map((h) => h.previous)}::text[],
        ${history.map((h) => h.occurredAt)}::timestamptz[], ${history.map((h) => h.error)}::text[],
        ${history.map((h) => h.source)}::text[]
      ) WITH ORDINALITY
        AS h(tenant_id, message_id, status, previous_status, occurred_at, error, source, n)
     ORDER BY n`.execute(trx);
}
