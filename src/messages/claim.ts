import { type Kysely, sql } from 'kysely';
import type { Database, Message } from '../db/types.js';

/** A claimed message and how long to wait before sending it (its tenant's pace). */
export interface Claimed {
  message: Message;
  delayMs: number;
}

export interface ClaimOptions {
  limit: number;
  leaseMs: number;
  inDoubtMs: number;
  /** Each tenant's Cloud API sends per second (SEND_RATE_LIMIT_MPS). */
  ratePerSecond: number;
  /** How far ahead a claim books a tenant's slots; well under `leaseMs`. */
  horizonMs: number;
}

/**
 * Claims up to `limit` due messages: QUEUED, no wamid, not claimed by a live dispatcher, and — if
 * a send was started and never answered (a crash) — only after `inDoubtMs`, long enough for Meta's
 * status webhook (which names our id) to settle it first. Rows are taken FOR UPDATE SKIP LOCKED
 * under a lease, so several dispatchers share the work.
 *
 * Pacing: each Cloud API message gets a send slot, `1 / ratePerSecond` s after its tenant's
 * previous one (send_pacing), and only slots within `horizonMs` are claimed; a tenant whose slots
 * are booked that far is skipped, so its backlog never holds up other tenants' messages. Claims
 * take one transaction-level advisory lock, so concurrent dispatchers never book the same slot: a
 * tenant's sends go out at its rate however many dispatchers share them. `sending_started_at` is
 * the slot, when the send will start. Sandbox messages are not paced.
 */
export async function claimPaced(db: Kysely<Database>, options: ClaimOptions): Promise<Claimed[]> {
  const step = `${1000 / options.ratePerSecond} milliseconds`;
  const horizon = `${options.horizonMs} milliseconds`;
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended('dispatch-claim', 0))`.execute(trx);
    const { rows } = await sql<Message & { delay_ms: number }>`
      WITH candidates AS (
        SELECT m.id, m.tenant_id, m.transport, m.next_attempt_at, m.created_at
        FROM messages m
        WHERE m.status = 'QUEUED' AND m.wamid IS NULL AND m.next_attempt_at <= now()
          AND (m.claimed_until IS NULL OR m.claimed_until < now())
          AND (m.sending_started_at IS NULL
               OR m.sending_started_at < now() - ${`${options.inDoubtMs} milliseconds`}::interval)
          AND (m.transport <> 'cloud' OR NOT EXISTS (
                SELECT 1 FROM send_pacing p
                WHERE p.tenant_id = m.tenant_id AND p.next_slot > now() + ${horizon}::interval))
        ORDER BY m.next_attempt_at, m.created_at
        LIMIT ${options.limit}
        FOR UPDATE OF m SKIP LOCKED
      ),
      slotted AS (
        SELECT c.id, c.tenant_id, c.transport,
          CASE WHEN c.transport = 'cloud'
            THEN greatest(now(), p.next_slot) + ${step}::interval * (row_number() OVER (
              PARTITION BY c.tenant_id, c.transport ORDER BY c.next_attempt_at, c.created_at) - 1)
            ELSE now()
          END AS slot
        FROM candidates c LEFT JOIN send_pacing p ON p.tenant_id = c.tenant_id
      ),
      chosen AS (
        SELECT * FROM slotted WHERE slot <= now() + ${horizon}::interval
      ),
      booked AS (
        INSERT INTO send_pacing (tenant_id, next_slot)
        SELECT tenant_id, max(slot) + ${step}::interval FROM chosen
        WHERE transport = 'cloud' GROUP BY tenant_id
        ON CONFLICT (tenant_id) DO UPDATE SET next_slot = excluded.next_slot
      )
      UPDATE messages m SET
        claimed_until = now() + ${`${options.leaseMs} milliseconds`}::interval,
        sending_started_at = chosen.slot,
        attempts = m.attempts + 1,
        updated_at = now()
      FROM chosen
      WHERE m.id = chosen.id
      RETURNING m.*, greatest(0, extract(epoch FROM chosen.slot - now()) * 1000)::float8 AS delay_ms`.execute(
      trx,
    );
    return rows
      .map(({ delay_ms, ...message }) => ({ message: message as Message, delayMs: delay_ms }))
      .sort((a, b) => a.delayMs - b.delayMs);
  });
}
