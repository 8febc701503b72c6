import {
  type ExecutionArgs,
  type ExecutionResult,
  getOperationAST,
  type GraphQLError,
} from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/types.js';
import type { Context } from '../context.js';
import { apiError } from '../errors.js';
import { useQueryLimits } from './armor.js';
import { countSends, operationCost } from './cost.js';
import { type BucketRule, chargeBucket, refundBucket, retryAfterSeconds } from './rate-limit.js';
import { useBodyLimit, useCsrfPrevention, useRequestParamsCheck } from './request.js';

/** `extensions.cost` of every executed response, as Shopify's GraphQL Admin API reports it. */
export interface QueryCost {
  requestedQueryCost: number;
  /** Equal to the requested cost: the cost is not measured again after execution. 0 if refused. */
  actualQueryCost: number;
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

/**
 * Every limit, as yoga plugins, in the order they act: body size and CSRF before parsing, the
 * document limits while parsing and validating, cost and rate limits just before execution.
 */
export function useLimits(config: Config, buckets?: Kysely<Database>): Plugin[] {
  return [
    useBodyLimit(config.limits.maxBodyBytes),
    useCsrfPrevention(),
    useRequestParamsCheck(),
    useQueryLimits(config),
    useRateLimits(buckets),
  ];
}

/**
 * Charges each operation's cost (src/limits/cost.ts) to the caller's bucket before it runs: per
 * API token, or per tenant for the admin key. A subscription is charged once, when it starts.
 * Refusals stop the whole request:
 * - cost above `limits.maxCost` (or the bucket's size): QUERY_TOO_COMPLEX, 400;
 * - bucket short of the cost: RATE_LIMITED, 429, `Retry-After` and `extensions.retryAfter`;
 * - a mutation with send mutations when the tenant's messages-per-second bucket is short of them:
 *   RATE_LIMITED, 429, likewise (the query points taken for it are given back).
 * Runs on `execute`/`subscribe`, so graphql-ws operations (which use yoga's enveloped functions)
 * are charged the same way.
 *
 * `buckets` is where the bucket statements run (default: the request's database): a pool of their
 * own, so that a charge, which every request waits for, never queues behind reads for a connection.
 */
export function useRateLimits(buckets?: Kysely<Database>): Plugin {
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const checked = check(args, buckets);
      // A read whose bucket is known to be far from empty runs while it is charged (see
      // `Levels`); its answer waits for the charge, and is the refusal if the charge refuses.
      if ('take' in checked && checked.read && levels.roomFor(checked)) {
        const release = levels.reserve(checked);
        const charged = checked.take().finally(release);
        charged.catch(() => {}); // awaited below; execution may fail before it is
        return {
          async onExecuteDone({ result, setResult }) {
            const { refused, cost } = await charged;
            if (refused) setResult(refused);
            else if (cost && !isAsyncIterable(result)) {
              setResult({ ...result, extensions: { ...result.extensions, cost } });
            }
          },
        };
      }
      const { refused, cost } = 'take' in checked ? await checked.take() : checked;
      if (refused) {
        setResultAndStopExecution(refused);
        return;
      }
      if (!cost) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (isAsyncIterable(result)) return;
          setResult({ ...result, extensions: { ...result.extensions, cost } });
        },
      };
    },
    async onSubscribe({ args, setResultAndStopExecution }) {
      const checked = check(args, buckets);
      const { refused } = 'take' in checked ? await checked.take() : checked;
      if (refused) setResultAndStopExecution(refused);
    },
  };
}

type Charged = { refused?: ExecutionResult; cost?: QueryCost };

/** An operation that passed every check but its bucket's: `take` charges it. */
interface Pending {
  take(): Promise<Charged>;
  /** A query (no mutation, no subscription): it changes nothing if it runs and is refused. */
  read: boolean;
  /** Its bucket, per tenant. */
  key: string;
  requested: number;
  rule: BucketRule;
}

/**
 * What this instance last learnt of each bucket it charged, and the points of reads running
 * ahead of their charge. A read may run ahead when the bucket, refilled since, less what runs
 * ahead, would still hold half its capacity after it: then a refusal needs another instance to
 * have drained half a bucket meanwhile (the read's answer is the refusal then, as ever, and only
 * its statement was wasted), and a caller spending near its budget is charged first, as always.
 */
class Levels {
  private readonly known = new Map<string, { available: number; at: number; ahead: number }>();

  learn(key: string, available: number): void {
    const entry = this.known.get(key);
    if (entry) {
      entry.available = available;
      entry.at = Date.now();
      return;
    }
    if (this.known.size >= 10_000) this.known.clear();
    this.known.set(key, { available, at: Date.now(), ahead: 0 });
  }

  roomFor({ key, requested, rule }: Pending): boolean {
    const entry = this.known.get(key);
    if (!entry) return false;
    const refilled = entry.available + (rule.restoreRate * (Date.now() - entry.at)) / 1000;
    const level = Math.min(rule.capacity, refilled) - entry.ahead;
    return level - requested >= rule.capacity / 2;
  }

  /** Counts `pending`'s points as running ahead until the returned function is called. */
  reserve({ key, requested }: Pending): () => void {
    const entry = this.known.get(key);
    if (!entry) return () => {};
    entry.ahead += requested;
    return () => {
      entry.ahead -= requested;
    };
  }
}

const levels = new Levels();

/**
 * Every check that needs no database (the operation's cost and sends against the limits), then
 * what is left: nothing to charge, or the charge of the caller's bucket (`Pending`).
 */
function check(args: ExecutionArgs, buckets: Kysely<Database> | undefined): Charged | Pending {
  const { config, tenant, principal } = args.contextValue as Context;
  const db = buckets ?? (args.contextValue as Context).db;
  const operation = getOperationAST(args.document, args.operationName);
  // No such operation, or variables that do not fit: execution reports it, running nothing.
  if (!operation) return {};
  const costed = operationCost(args.schema, args.document, args.variableValues, args.operationName);
  if (!costed.ok) {
    if (!costed.tooLarge) return {};
    return refuse(tooComplex(costed.error.message, 'cost', config.limits.maxCost));
  }
  const requested = costed.cost;
  const rule = { capacity: config.rateLimit.bucketSize, restoreRate: config.rateLimit.restoreRate };
  const maxCost = Math.min(config.limits.maxCost, rule.capacity);
  if (requested > maxCost) {
    return refuse(
      tooComplex(`Query cost limit of ${maxCost} exceeded, found ${requested}.`, 'cost', maxCost),
    );
  }
  const perSecond = config.rateLimit.sendsPerSecond;
  const sends = countSends(args.document, operation);
  if (sends > perSecond) {
    const message = `This operation sends ${sends} messages; at most ${perSecond} may be sent a second.`;
    return refuse(tooComplex(message, 'sends', perSecond));
  }

  // The anonymous principal may only introspect (src/auth/introspection.ts), which costs 0: it
  // has no bucket to draw on.
  if (principal.kind === 'anonymous') return {};
  const bucket = principal.kind === 'admin' ? 'admin' : `token:${principal.tokenId}`;
  const key = `${tenant.id} ${bucket}`;
  const take = () =>
    takeCharge({ db, tenantId: tenant.id, bucket, key, requested, rule, sends, perSecond });
  return { take, read: operation.operation === 'query', key, requested, rule };
}

/** Charges the bucket (and the sends bucket for sends), as `useRateLimits` tells. */
async function takeCharge(charge: {
  db: Kysely<Database>;
  tenantId: string;
  bucket: string;
  key: string;
  requested: number;
  rule: BucketRule;
  sends: number;
  perSecond: number;
}): Promise<Charged> {
  const { db, tenantId, bucket, key, requested, rule, sends, perSecond } = charge;
  const sendRule = { capacity: perSecond, restoreRate: perSecond };
  // Both buckets by one statement: the sends only once the cost is granted.
  const { state, sent } = await chargeBucket(
    db,
    tenantId,
    bucket,
    requested,
    rule,
    sends > 0 ? { count: sends, rule: sendRule } : undefined,
  );
  levels.learn(key, state.available);
  const cost = (actual: number, available: number): QueryCost => ({
    requestedQueryCost: requested,
    actualQueryCost: actual,
    throttleStatus: {
      maximumAvailable: rule.capacity,
      currentlyAvailable: Math.floor(available),
      restoreRate: rule.restoreRate,
    },
  });
  if (!state.granted) {
    const retryAfter = retryAfterSeconds(requested, state.available, rule);
    const message =
      `Throttled: this query costs ${requested} points and ${Math.floor(state.available)} of ` +
      `${rule.capacity} are available (${rule.restoreRate} restored a second). ` +
      `Retry after ${retryAfter} s.`;
    return refuse(throttled(message, retryAfter, 'cost'), cost(0, state.available));
  }
  if (sends > 0) {
    if (!sent) throw new Error('the sends bucket was not charged');
    if (!sent.granted) {
      await refundBucket(db, tenantId, bucket, requested, rule);
      const retryAfter = retryAfterSeconds(sends, sent.available, sendRule);
      const message =
        `Throttled: this workspace may send ${perSecond} messages a second. ` +
        `Retry after ${retryAfter} s.`;
      return refuse(
        throttled(message, retryAfter, 'sends'),
        cost(0, Math.min(rule.capacity, state.available + requested)),
      );
    }
  }
  return { cost: cost(requested, state.available) };
}

function refuse(error: GraphQLError, cost?: QueryCost): { refused: ExecutionResult } {
  return { refused: { errors: [error], ...(cost && { extensions: { cost } }) } };
}

function tooComplex(message: string, limit: string, maximum: number) {
  return apiError('QUERY_TOO_COMPLEX', message, { limit, maximum });
}

function throttled(message: string, retryAfter: number, limit: 'cost' | 'sends') {
  return apiError(
    'RATE_LIMITED',
    message,
    { limit, retryAfter },
    { 'Retry-After': `${retryAfter}` },
  );
}
