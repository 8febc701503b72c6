import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/types.js';

export type OperationType = 'query' | 'mutation' | 'subscription' | 'unknown';
export type DispatchResult = 'sent' | 'retry' | 'failed';

/**
 * The gateway's Prometheus metrics, in a registry of their own: every App has one, so several apps
 * in one process (the tests) never share counts. Served at GET /metrics by plugin.ts.
 */
export interface Metrics {
  registry: Registry;
  /** One GraphQL operation finished (HTTP: the response; graphql-ws: execute or subscribe). */
  observeOperation(name: string | undefined, type: OperationType, seconds: number): void;
  /** Each error of a result, by its `extensions.code`. */
  countErrors(errors: readonly { extensions?: Record<string, unknown> }[] | undefined): void;
  /** The dispatcher's `onResult`. */
  recordDispatch(result: DispatchResult): void;
  subscriptionOpened(): void;
  subscriptionClosed(): void;
  /** A request answered by the fast path (src/fast-path.ts) rather than yoga's pipeline. */
  countFastPath(): void;
  /** An operation run compiled, its authorization decided beforehand (src/compiled-execution.ts). */
  countCompiled(): void;
  /**
   * One event executed for a group of subscribers sharing document, variables and abilities
   * (src/subscriptions/shared-execution.ts): once per event and group, not per subscriber.
   */
  countSubscriptionExecution(): void;
}

/** Distinct operation names kept as labels; beyond it they are counted as "other". */
const MAX_OPERATION_NAMES = 200;
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(db: Kysely<Database>, logger: Logger): Metrics {
  const registry = new Registry();
  const registers = [registry];
  // Process metrics: resident memory, heap, CPU, event loop lag, GC, handles.
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'gateway_graphql_requests_total',
    help: 'GraphQL operations handled, by operation name and type.',
    labelNames: ['operation_name', 'operation_type'],
    registers,
  });
  const duration = new Histogram({
    name: 'gateway_graphql_request_duration_seconds',
    help: 'GraphQL operation latency: over HTTP from request to response (for a subscription, until its stream starts); over graphql-ws, execution (or subscribe) only.',
    labelNames: ['operation_name', 'operation_type'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const errors = new Counter({
    name: 'gateway_graphql_errors_total',
    help: 'GraphQL errors returned to clients, by extensions.code.',
    labelNames: ['code'],
    registers,
  });
  const subscriptions = new Gauge({
    name: 'gateway_subscriptions_open',
    help: 'GraphQL subscriptions in progress (graphql-ws and SSE).',
    registers,
  });
  const dispatched = new Counter({
    name: 'gateway_dispatch_results_total',
    help: "Outcomes of this process's dispatcher sends: sent, retry (scheduled again) or failed (for good).",
    labelNames: ['result'],
    registers,
  });
  for (const result of ['sent', 'retry', 'failed']) dispatched.inc({ result }, 0);
  const fastPath = new Counter({
    name: 'gateway_fast_path_requests_total',
    help: 'GraphQL requests answered by the fast path (a document yoga already accepted), without yoga.',
    registers,
  });
  const compiled = new Counter({
    name: 'gateway_compiled_operations_total',
    help: "Queries and mutations run compiled (graphql-jit), the caller's abilities granting all of them beforehand.",
    registers,
  });
  const subscriptionExecutions = new Counter({
    name: 'gateway_subscription_executions_total',
    help: 'Subscription events executed, once per event for all the subscribers sharing a document, variables and abilities.',
    registers,
  });

  // The outbox gauges are read from the database at scrape time. This is the one query of the
  // gateway that spans tenants: the outbox is shared by every tenant and so is its backlog.
  // It reads the dispatcher's partial index (status = 'QUEUED' AND wamid IS NULL).
  let outbox: Promise<{ depth: number; age: number }> | undefined;
  const readOutbox = () =>
    (outbox ??= sql<{ depth: number; age: number | null }>`
      select count(*)::int as depth,
             coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as age
        from messages
       where status = 'QUEUED' and wamid is null`
      .execute(db)
      .then(({ rows }) => ({ depth: rows[0]!.depth, age: rows[0]!.age ?? 0 }))
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'metrics: outbox unreadable');
        return { depth: Number.NaN, age: Number.NaN };
      })
      .finally(() => (outbox = undefined)));
  new Gauge({
    name: 'gateway_outbox_depth',
    help: 'Messages queued to send, across all tenants (NaN when the database is unreachable).',
    registers,
    async collect() {
      this.set((await readOutbox()).depth);
    },
  });
  new Gauge({
    name: 'gateway_outbox_oldest_age_seconds',
    help: 'Age of the oldest queued message, across all tenants (0 when none is queued).',
    registers,
    async collect() {
      this.set((await readOutbox()).age);
    },
  });

  const names = new Set<string>();
  const operationLabel = (name: string | undefined): string => {
    if (!name) return 'anonymous';
    if (!GRAPHQL_NAME.test(name)) return 'invalid';
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_NAMES) return 'other';
    names.add(name);
    return name;
  };

  return {
    registry,
    observeOperation(name, type, seconds) {
      const labels = { operation_name: operationLabel(name), operation_type: type };
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
    countErrors(list) {
      for (const error of list ?? []) {
        const code = error.extensions?.code;
        errors.inc({
          code: typeof code === 'string' && GRAPHQL_NAME.test(code) ? code : 'UNKNOWN',
        });
      }
    },
    recordDispatch: (result) => dispatched.inc({ result }),
    subscriptionOpened: () => subscriptions.inc(),
    subscriptionClosed: () => subscriptions.dec(),
    countFastPath: () => fastPath.inc(),
    countCompiled: () => compiled.inc(),
    countSubscriptionExecution: () => subscriptionExecutions.inc(),
  };
}
