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

/** Messages a request sends, charged to the tenant's `sends` bucket with its cost. */
export interface SendsCharge {
  count: number;
  rule: BucketRule;
}

export interface Charged {
  /** The caller's bucket. */
  state: BucketState;
  /** The `sends` bucket, when sends were asked for and the caller's bucket granted the cost. */
  sent?: BucketState;
}

interface Waiting {
  cost: number;
  sends: SendsCharge | undefined;
  resolve: (charged: Charged) => void;
  reject: (error: unknown) => void;
}

/** Per database handle, per bucket: the requests waiting while a statement for it runs. */
const queues = new WeakMap<object, Map<string, Waiting[]>>();

/**
 * Takes `cost` from the bucket (and `sends` from the tenant's sends bucket) as `takeFromBuckets`
 * does, coalescing concurrent requests for the same bucket on this instance: the first runs at
 * once; those that arrive while its statement runs wait and are then charged together, in arrival
 * order, by one statement when the buckets hold all of their costs and sends (the outcome one
 * statement each would have had), else one at a time. So a busy token costs one statement per
 * round trip, not one per request, and this instance holds the bucket's row lock once per round
 * rather than once per request.
 */
export function chargeBucket(
  db: Kysely<Database>,
  tenantId: string,
  bucket: string,
  cost: number,
  rule: BucketRule,
  sends?: SendsCharge,
): Promise<Charged> {
  let byBucket = queues.get(db);
  if (!byBucket) queues.set(db, (byBucket = new Map()));
  const key = `${tenantId} ${bucket}`;
  return new Promise<Charged>((resolve, reject) => {
    const waiting = byBucket.get(key);
    if (waiting) {
      waiting.push({ cost, sends, resolve, reject });
      return;
    }
    const queue: Waiting[] = [{ cost, sends, resolve, reject }];
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
      const sendRule = batch.find((w) => w.sends)?.sends?.rule;
      const sends = batch.reduce((sum, w) => sum + (w.sends?.count ?? 0), 0);
      const allSends = sendRule && { count: sends, rule: sendRule };
      const together =
        batch.length > 1 && total <= rule.capacity && (!allSends || sends <= allSends.rule.capacity)
          ? await takeFromBuckets(db, tenantId, bucket, total, rule, allSends)
          : undefined;
      if (together?.state.granted && (!allSends || together.sent?.granted)) {
        // Each reports the levels after it, as if charged alone in this order.
        let after = together.state.available;
        let sentAfter = together.sent?.available ?? 0;
        for (let i = batch.length - 1; i >= 0; i--) {
          const waiting = batch[i]!;
          waiting.resolve({
            state: { granted: true, available: after },
            ...(waiting.sends && { sent: { granted: true, available: sentAfter } }),
          });
          after += waiting.cost;
          sentAfter += waiting.sends?.count ?? 0;
        }
        continue;
      }
      // The sends bucket short of them all: their cost is given back, and they go one by one.
      if (together?.state.granted) await refundBucket(db, tenantId, bucket, total, rule);
      // One alone, or buckets short of them all: in order, each by its own statement.
      while (batch.length > 0) {
        const waiting = batch[0]!;
        waiting.resolve(
          await takeFromBuckets(db, tenantId, bucket, waiting.cost, rule, waiting.sends),
        );
        batch.shift();
      }
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}

/**
 * Refills the bucket for the time since it was last used and takes `cost` from it when it holds
 * that much; with `sends`, and when the cost was taken, does the same with the tenant's `sends`
 * bucket — all in one atomic statement (concurrent requests on any instance queue on the row
 * locks, taken in that order). The cost is not given back here when the sends bucket refuses.
 * `cost` and `sends.count` must not exceed their rules' capacities.
 */
export async function takeFromBuckets(
  db: Kysely<Database>,
  tenantId: string,
  bucket: string,
  cost: number,
  rule: BucketRule,
  sends?: SendsCharge,
): Promise<Charged> {
  const take = bucketTake(cost, rule);
  if (!sends) {
    const { rows } = await sql<BucketState>`
      insert into rate_limit_buckets as b (tenant_id, bucket, available, granted, updated_at)
      values (${tenantId}, ${bucket}, ${take.fresh}, true, now())
      on conflict (tenant_id, bucket) do update set ${take.update}
      returning granted, available`.execute(db);
    return { state: rows[0]! };
  }
  const send = bucketTake(sends.count, sends.rule);
  const { rows } = await sql<BucketState & { sent_granted: boolean | null; sent: number | null }>`
    with charged as (
      insert into rate_limit_buckets as b (tenant_id, bucket, available, granted, updated_at)
      values (${tenantId}, ${bucket}, ${take.fresh}, true, now())
      on conflict (tenant_id, bucket) do update set ${take.update}
      returning granted, available
    ),
    sent as (
      insert into rate_limit_buckets as b (tenant_id, bucket, available, granted, updated_at)
      select ${tenantId}::uuid, 'sends', ${send.fresh}, true, now() from charged where granted
      on conflict (tenant_id, bucket) do update set ${send.update}
      returning granted, available
    )
    select charged.granted, charged.available, sent.granted as sent_granted, sent.available as sent
      from charged left join sent on true`.execute(db);
  const { granted, available, sent_granted, sent } = rows[0]!;
  return {
    state: { granted, available },
    ...(sent_granted !== null && { sent: { granted: sent_granted, available: sent! } }),
  };
}

/** The parts of a bucket's upsert that take `cost` under `rule`. */
function bucketTake(cost: number, rule: BucketRule) {
  const capacity = sql`${rule.capacity}::float8`;
  const need = sql`${cost}::float8`;
  // The level now: what was left, plus the refill since, capped. A clock that went backwards
  // between two instances' statements refills nothing rather than draining.
  const level = sql`least(${capacity}, b.available + ${rule.restoreRate}::float8 *
    greatest(0, extract(epoch from now() - b.updated_at))::float8)`;
  return {
    /** A bucket's first level: full, less the cost. */
    fresh: sql`${capacity} - ${need}`,
    update: sql`available = case when ${level} >= ${need} then ${level} - ${need} else ${level} end,
      granted = ${level} >= ${need},
      updated_at = greatest(b.updated_at, now())`,
  };
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
