import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database, Message } from '../db/types.js';
import { claimDue, recordAccepted, recordFailure, releaseClaims } from './delivery.js';
import { advanceSandbox } from './sandbox.js';
import type { Transport } from './transports.js';

/**
 * Sends queued messages, exactly once. Claims rows with FOR UPDATE SKIP LOCKED under a lease, so
 * several dispatchers (in the server, or `npm run dispatcher`) share the work; records Meta's wamid
 * or the failure; retries transient failures with exponential backoff. A dispatcher killed
 * mid-send leaves the message "in doubt": it is retried only after `inDoubtMs`, by which time
 * Meta's status webhook (which carries our message id) has recorded it if Meta had accepted it.
 */
export interface DispatcherOptions {
  db: Kysely<Database>;
  transports: Record<'cloud' | 'sandbox', Transport>;
  logger: Logger;
  pollMs?: number;
  batchSize?: number;
  concurrency?: number;
  leaseMs?: number;
  inDoubtMs?: number;
  maxAttempts?: number;
  /** Sandbox clock: SENT → DELIVERED → READ after these delays. */
  sandboxDelaysMs?: { delivered: number; read: number };
  onResult?: (result: 'sent' | 'retry' | 'failed') => void;
  /** `healthy()` turns false when no cycle has completed for this long (default 60 s). */
  stalledAfterMs?: number;
}

export class Dispatcher {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly inFlight = new Set<string>();
  private startedAt: number | undefined;
  /** When the loop last completed a cycle (claim, send, sandbox clock); undefined before the first. */
  lastCycleAt: Date | undefined;
  private readonly o: Required<Omit<DispatcherOptions, 'onResult'>> &
    Pick<DispatcherOptions, 'onResult'>;

  constructor(options: DispatcherOptions) {
    this.o = {
      pollMs: 200,
      batchSize: 20,
      concurrency: 10,
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

  /** Looks for work now rather than at the next poll (after a send was accepted here). */
  wake(): void {
    this.wakeUp?.();
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
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let busy = false;
      try {
        busy = (await this.runOnce()) > 0;
        await advanceSandbox(this.o.db, this.o.sandboxDelaysMs);
        this.lastCycleAt = new Date();
      } catch (error) {
        this.o.logger.error({ err: error }, 'dispatcher cycle failed');
      }
      if (busy || !this.running) continue;
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
        this.timer = setTimeout(resolve, this.o.pollMs);
      });
      clearTimeout(this.timer);
      this.wakeUp = undefined;
    }
  }

  /** One claim-and-send round; returns how many messages it claimed. */
  async runOnce(): Promise<number> {
    const claimed = await claimDue(this.o.db, {
      limit: this.o.batchSize,
      leaseMs: this.o.leaseMs,
      inDoubtMs: this.o.inDoubtMs,
    });
    const queue = [...claimed];
    const worker = async () => {
      for (let message = queue.shift(); message; message = queue.shift()) {
        if (!this.running) {
          await releaseClaims(this.o.db, [message.id, ...queue.splice(0).map((m) => m.id)]);
          return;
        }
        await this.send(message);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, claimed.length) }, worker));
    return claimed.length;
  }

  private async send(message: Message): Promise<void> {
    this.inFlight.add(message.id);
    try {
      const outcome = await this.o.transports[message.transport].send(message);
      if (outcome.ok) {
        await recordAccepted(this.o.db, message, outcome.wamid);
        this.o.onResult?.('sent');
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
      this.inFlight.delete(message.id);
    }
  }
}

/** 1 s, 2 s, 4 s … capped at 5 minutes, with ±20 % jitter; never before `floorMs`. */
export function backoffMs(attempt: number, floorMs = 0): number {
  const base = Math.min(1000 * 2 ** Math.max(0, attempt - 1), 300_000);
  return Math.max(floorMs, Math.round(base * (0.8 + Math.random() * 0.4)));
}
