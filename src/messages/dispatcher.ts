import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database, Message } from '../db/types.js';
import { claimPaced } from './claim.js';
import { applyStatuses, recordFailure, releaseClaims } from './delivery.js';
import { advanceSandbox } from './sandbox.js';
import type { Transport } from './transports.js';

/**
 * Sends queued messages, exactly once. Claims rows with FOR UPDATE SKIP LOCKED under a lease, so
 * several dispatchers (in the server, or `npm run dispatcher`) share the work; records Meta's wamid
 * or the failure; retries transient failures with exponential backoff. A dispatcher killed
 * mid-send leaves the message "in doubt": it is retried only after `inDoubtMs`, by which time
 * Meta's status webhook (which carries our message id) has recorded it if Meta had accepted it.
 *
 * A pipeline: it claims again as soon as a quarter of `concurrency` is free, while earlier sends
 * are still in flight, and each message goes out at its tenant's slot (claim.ts: no faster than
 * `ratePerSecond` per tenant). Accepted sends are recorded SENT together, one transaction for all
 * that were answered meanwhile (applyStatuses).
 */
export interface DispatcherOptions {
  db: Kysely<Database>;
  transports: Record<'cloud' | 'sandbox', Transport>;
  logger: Logger;
  pollMs?: number;
  /** The most messages one claim takes. */
  batchSize?: number;
  /** The most messages held at once: waiting for their slot, or for Meta's answer. */
  concurrency?: number;
  /** Each tenant's Cloud API sends per second. */
  ratePerSecond?: number;
  leaseMs?: number;
  inDoubtMs?: number;
  maxAttempts?: number;
  /** Sandbox clock: SENT → DELIVERED → READ after these delays. */
  sandboxDelaysMs?: { delivered: number; read: number };
  onResult?: (result: 'sent' | 'retry' | 'failed') => void;
  /** `healthy()` turns false when no cycle has completed for this long (default 60 s). */
  stalledAfterMs?: number;
}

/** How far ahead a claim books a tenant's send slots. */
const PACING_HORIZON_MS = 1000;
/** How long `wake` waits for more sends to be accepted before it claims. */
const WAKE_COALESCE_MS = 5;
/** Tries at recording a batch's SENT before leaving it to the lease and Meta's webhooks. */
const RECORD_ATTEMPTS = 3;

export class Dispatcher {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private startedAt: number | undefined;
  private sandboxClockAt = 0;
  /** Messages claimed and not yet sent (waiting for their slot, or their answer). */
  private held = 0;
  /** Claimed messages waiting for their slot. */
  private readonly waiting = new Map<string, NodeJS.Timeout>();
  /** Sends under way (transport call and its bookkeeping). */
  private readonly sending = new Set<Promise<void>>();
  /** Accepted by Meta, SENT not yet recorded. */
  private accepted: { message: Message; wamid: string; at: Date }[] = [];
  private recording: Promise<void> | undefined;
  /** Set while the loop waits for room (every slot taken), so a finished send can wake it. */
  private waitingForRoom = false;
  /** When the loop last completed a cycle (claim, send, sandbox clock); undefined before the first. */
  lastCycleAt: Date | undefined;
  private readonly o: Required<Omit<DispatcherOptions, 'onResult'>> &
    Pick<DispatcherOptions, 'onResult'>;

  constructor(options: DispatcherOptions) {
    this.o = {
      pollMs: 200,
      batchSize: 100,
      concurrency: 300,
      ratePerSecond: 80,
      leaseMs: 30_000,
      inDoubtMs: 60_000,
      maxAttempts: 8,
      sandboxDelaysMs: { delivered: 1500, read: 3000 },
      stalledAfterMs: 60_000,
      ...options,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = Date.now();
    this.loop = this.run();
  }

  /**
   * Looks for work soon rather than at the next poll (after a send was accepted here). Wakes
   * within a few milliseconds coalesce into one claim, so a burst of accepted sends is claimed in
   * batches rather than one claim each.
   */
  wake(): void {
    if (!this.wakeUp || this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeUp?.();
    }, WAKE_COALESCE_MS);
  }

  /**
   * True while the loop runs and has completed a cycle within `stalledAfterMs` (or started less
   * than that ago). A cycle failing (database down) or hanging makes it false; /ready reports it.
   */
  healthy(now = Date.now()): boolean {
    const since = Math.max(this.lastCycleAt?.getTime() ?? 0, this.startedAt ?? 0);
    return this.running && now - since < this.o.stalledAfterMs;
  }

  /** Stops claiming, lets sends in flight finish, and gives back claims not yet started. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  /** A claim is worth making once this many messages can be taken. */
  private get claimThreshold(): number {
    return Math.max(1, Math.floor(Math.min(this.o.batchSize, this.o.concurrency) / 4));
  }

  private async run(): Promise<void> {
    while (this.running) {
      let more = false;
      try {
        const room = this.o.concurrency - this.held;
        if (room >= this.claimThreshold) {
          const limit = Math.min(this.o.batchSize, room);
          more = (await this.claim(limit)) === limit;
        } else {
          more = true;
        }
        if (Date.now() - this.sandboxClockAt >= this.o.pollMs) {
          this.sandboxClockAt = Date.now();
          await advanceSandbox(this.o.db, this.o.sandboxDelaysMs);
        }
        this.lastCycleAt = new Date();
      } catch (error) {
        more = false;
        this.o.logger.error({ err: error }, 'dispatcher cycle failed');
      }
      if (!this.running) break;
      const full = this.o.concurrency - this.held < this.claimThreshold;
      if (more && !full) continue;
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
        this.waitingForRoom = more && full;
        this.timer = setTimeout(resolve, this.o.pollMs);
      });
      clearTimeout(this.timer);
      this.wakeUp = undefined;
      this.waitingForRoom = false;
    }
    // Stopping: claims not started yet go back; sends in flight finish and are recorded.
    const unstarted = [...this.waiting.keys()];
    for (const timer of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    this.held -= unstarted.length;
    await releaseClaims(this.o.db, unstarted).catch((error: unknown) =>
      this.o.logger.error({ err: error }, 'releasing claims failed'),
    );
    while (this.sending.size > 0 || this.recording) {
      await Promise.all([...this.sending, this.recording]);
    }
  }

  /** Claims up to `limit` messages and starts each at its slot; returns how many it claimed. */
  private async claim(limit: number): Promise<number> {
    const claimed = await claimPaced(this.o.db, {
      limit,
      leaseMs: this.o.leaseMs,
      inDoubtMs: this.o.inDoubtMs,
      ratePerSecond: this.o.ratePerSecond,
      horizonMs: PACING_HORIZON_MS,
    });
    this.held += claimed.length;
    for (const [name, transport] of Object.entries(this.o.transports)) {
      const mine = claimed.filter((c) => c.message.transport === name).map((c) => c.message);
      if (mine.length === 0 || !transport.prepare) continue;
      // Without it, each send opens its connection itself.
      await transport
        .prepare(mine)
        .catch((error: unknown) =>
          this.o.logger.warn({ err: error }, 'preparing a transport failed'),
        );
    }
    for (const { message, delayMs } of claimed) {
      if (delayMs < 1) {
        this.begin(message);
        continue;
      }
      this.waiting.set(
        message.id,
        setTimeout(() => {
          this.waiting.delete(message.id);
          this.begin(message);
        }, delayMs),
      );
    }
    return claimed.length;
  }

  private begin(message: Message): void {
    const sending = this.send(message);
    this.sending.add(sending);
    void sending.finally(() => this.sending.delete(sending));
  }

  /** Sends one message; finishes once its outcome is recorded (SENT: with its batch). */
  private async send(message: Message): Promise<void> {
    let accepted = false;
    try {
      const outcome = await this.o.transports[message.transport].send(message);
      if (outcome.ok) {
        accepted = true;
        this.accepted.push({ message, wamid: outcome.wamid, at: new Date() });
        this.recording ??= this.recordAccepted();
        // Its slot is free for the next claim while SENT is being recorded.
        this.release(1);
        return;
      }
      const retry = outcome.retryable && message.attempts < this.o.maxAttempts;
      await recordFailure(this.o.db, message, {
        retryInMs: retry
          ? backoffMs(message.attempts, outcome.inDoubt ? this.o.inDoubtMs : 0)
          : null,
        inDoubt: outcome.inDoubt,
        error: outcome.error,
      });
      this.o.onResult?.(retry ? 'retry' : 'failed');
      this.o.logger.warn({ messageId: message.id, code: outcome.error.code, retry }, 'send failed');
    } catch (error) {
      // Our own failure (database): the lease runs out and the message is picked up again.
      this.o.logger.error({ err: error, messageId: message.id }, 'send bookkeeping failed');
    } finally {
      if (!accepted) this.release(1);
    }
  }

  /**
   * Records SENT for every accepted send, in batches: those answered while a batch is written
   * form the next one (one transaction each). A batch that cannot be written is left to Meta's
   * status webhooks and, failing those, to the lease and the in-doubt window.
   */
  private async recordAccepted(): Promise<void> {
    while (this.accepted.length > 0) {
      const batch = this.accepted;
      this.accepted = [];
      for (let attempt = 1; attempt <= RECORD_ATTEMPTS; attempt += 1) {
        try {
          await applyStatuses(
            this.o.db,
            batch.map(({ message, wamid, at }) => ({
              tenantId: message.tenant_id,
              messageId: message.id,
              wamid,
              status: 'SENT' as const,
              occurredAt: at,
              source: 'dispatcher' as const,
            })),
          );
          for (let i = 0; i < batch.length; i += 1) this.o.onResult?.('sent');
          break;
        } catch (error) {
          this.o.logger.error(
            { err: error, messages: batch.length, attempt },
            'recording sent messages failed',
          );
          if (attempt < RECORD_ATTEMPTS) await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
    }
    this.recording = undefined;
  }

  private release(count: number): void {
    this.held -= count;
    if (this.waitingForRoom && this.o.concurrency - this.held >= this.claimThreshold) {
      this.wakeUp?.();
    }
  }
}

/** 1 s, 2 s, 4 s … capped at 5 minutes, with ±20 % jitter; never before `floorMs`. */
export function backoffMs(attempt: number, floorMs = 0): number {
  const base = Math.min(1000 * 2 ** Math.max(0, attempt - 1), 300_000);
  return Math.max(floorMs, Math.round(base * (0.8 + Math.random() * 0.4)));
}
