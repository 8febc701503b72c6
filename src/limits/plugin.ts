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
import { chargeBucket, refundBucket, retryAfterSeconds } from './rate-limit.js';
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
      const { refused, cost } = await charge(args, buckets);
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
      const { refused } = await charge(args, buckets);
      if (refused) setResultAndStopExecution(refused);
    },
  };
}

async function charge(
  args: ExecutionArgs,
  buckets: Kysely<Database> | undefined,
): Promise<{ refused?: ExecutionResult; cost?: QueryCost }> {
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
  const sendRule = { capacity: perSecond, restoreRate: perSecond };
  const sends = countSends(args.document, operation);
  if (sends > perSecond) {
    const message = `This operation sends ${sends} messages; at most ${perSecond} may be sent a second.`;
    return refuse(tooComplex(message, 'sends', perSecond));
  }

  // The anonymous principal may only introspect (src/auth/introspection.ts), which costs 0: it
  // has no bucket to draw on.
  if (principal.kind === 'anonymous') return {};
  const bucket = principal.kind === 'admin' ? 'admin' : `token:${principal.tokenId}`;
  const state = await chargeBucket(db, tenant.id, bucket, requested, rule);
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
    const sent = await chargeBucket(db, tenant.id, 'sends', sends, sendRule);
    if (!sent.granted) {
      await refundBucket(db, tenant.id, bucket, requested, rule);
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
