import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.js';

/**
 * Leaky buckets in PostgreSQL (table `rate_limit_buckets`), so that every instance draws on the
 * same budget. A bucket holds up to `capacity` points and regains `restoreRate` a second; a request
 * takes its cost only when the bucket holds that much, else it takes nothing.
 */
export interface BucketRule {
  capacity: number;
  /** Points regained per second. */
  restoreRate: number;
}

export interface BucketState {
  granted: boolean;
  /** The level after this request (after taking its cost when granted). */
  available: number;
}

interface Waiting {
  cost: number;
  resolve: (state: BucketState) => void;
  reject: (error: unknown) => void;
}

/** Per database handle, per bucket: the requests waiting while a statement for it runs. */
const queues = new WeakMap<object, Map<string, Waiting[]>>();

/**
 * Takes `cost` from the bucket as `takeFromBucket` does, coalescing concurrent requests for the
 * same bucket on this instance: the first runs at once; those that arrive while its statement
 * runs wait and are then charged together, in arrival order, by one statement when the bucket
 * holds all of their costs (the outcome one statement each would have had), else one at a time.
 * So a busy token costs one statement per round trip, not one per request, and this instance
 * holds the bucket's row lock once per round rather than once per request.
 */
export function chargeBucket(
  db: Kysely<Database>,
  tenantId: string,
  bucket: string,
  cost: number,
  rule: BucketRule,
): Promise<BucketState> {
  let byBucket = queues.get(db);
  if (!byBucket) queues.set(db, (byBucket = new Map()));
  const key = `${tenantId} ${bucket}`;
  return new Promise<BucketState>((resolve, reject) => {
    const waiting = byBucket.get(key);
    if (waiting) {
      waiting.push({ cost, resolve, reject });
      return;
    }
    const queue: Waiting[] = [{ cost, resolve, reject }];
    byBucket.set(key, queue);
    // Forgets the queue in the same tick as it finds it empty, so no arrival is left waiting.
    void drain(db, tenantId, bucket, rule, queue, () => byBucket.delete(key));
  });
}

async function drain(
  db: Kysely<Database>,
  tenantId: string,
  bucket: string,
  rule: BucketRule,
  queue: Waiting[],
  done: () => void,
): Promise<void> {
  for (;;) {
    if (queue.length === 0) {
      done();
      return;
    }
    const batch = queue.splice(0);
    try {
      const total = batch.reduce((sum, w) => sum + w.cost, 0);
      const together =
        batch.length > 1 && total <= rule.capacity
          ? await takeFromBucket(db, tenantId, bucket, total, rule)
          : undefined;
      if (together?.granted) {
        // Each reports the level after it, as if charged alone in this order.
        let after = together.available;
        for (let i = batch.length - 1; i >= 0; i--) {
          batch[i]!.resolve({ granted: true, available: after });
          after += batch[i]!.cost;
        }
        continue;
      }
      // One alone, or a bucket short of them all: in order, each by its own statement.
      while (batch.length > 0) {
        const waiting = batch[0]!;
        waiting.resolve(await takeFromBucket(db, tenantId, bucket, waiting.cost, rule));
        batch.shift();
      }
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}

/**
 * Refills the bucket for the time since it was last used and takes `cost` from it when it holds
 * that much, in one atomic statement (concurrent requests on any instance queue on the row lock).
 * `cost` must not exceed `rule.capacity`.
 */
export async function takeFromBucket(
  db: Kysely<Database>,
  tenantId: string,
  bucket: string,
  cost: number,
  rule: BucketRule,
): Promise<BucketState> {
  const capacity = sql`${rule.capacity}::float8`;
  const need = sql`${cost}::float8`;
  // The level now: what was left, plus the refill since, capped. A clock that went backwards
  // between two instances' statements refills nothing rather than draining.
  const level = sql`least(${capacity}, b.available + ${rule.restoreRate}::float8 *
    greatest(0, extract(epoch from now() - b.updated_at))::float8)`;
  const { rows } = await sql<BucketState>`
    insert into rate_limit_buckets as b (tenant_id, bucket, available, granted, updated_at)
    values (${tenantId}, ${bucket}, ${capacity} - ${need}, true, now())
    on conflict (tenant_id, bucket) do update set
      available = case when ${level} >= ${need} then ${level} - ${need} else ${level} end,
      granted = ${level} >= ${need},
      updated_at = greatest(b.updated_at, now())
    returning granted, available`.execute(db);
  return rows[0]!;
}

/** Gives back points taken for a request that then did not run (best effort). */
export async function refundBucket(
  db: Kysely<Database>,
  tenantId: string,
  bucket: string,
  points: number,
  rule: BucketRule,
): Promise<void> {
  if (points <= 0) return;
  await db
    .updateTable('rate_limit_buckets')
    .set({ available: sql`least(${rule.capacity}::float8, available + ${points}::float8)` })
    .where('tenant_id', '=', tenantId)
    .where('bucket', '=', bucket)
    .execute();
}

/** Whole seconds until a bucket at `available` holds `cost` again; at least 1. */
export function retryAfterSeconds(cost: number, available: number, rule: BucketRule): number {
  return Math.max(1, Math.ceil((cost - available) / rule.restoreRate));
}
