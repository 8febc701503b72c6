import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type DocumentNode, type ExecutionResult, getOperationAST } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { OpenSubscriptions } from '../lifecycle/shutdown.js';
import type { Metrics, OperationType } from './metrics.js';

/**
 * Request ids, one JSON log line per HTTP request, the GraphQL metrics and GET /metrics; and, for
 * a graceful stop, the switch that drains (/ready answers 503, responses close their connection)
 * and the list of live subscriptions to end. Goes first in yoga's plugins, so it sees every
 * request, including those other plugins answer.
 *
 * The log line carries the request id, method, path (never the query string), tenant subdomain,
 * operation name and type, status and duration: never a header, variables or connection params,
 * so tokens and admin keys cannot reach it.
 */
export interface Observability {
  plugin: Plugin;
  /** From now on /ready answers 503 and every response closes its connection. */
  drain(): void;
  /** Completes every live subscription: SSE streams end, graphql-ws clients get `complete`. */
  endSubscriptions(): void;
  /**
   * The plugin's steps as plain functions, for the fast path (src/fast-path.ts), which answers a
   * request without yoga and must log and count it exactly as the plugin does. Each is what the
   * hook of the same moment does: `begin` (onRequest), `params` (onParams), `parsed` (onParse),
   * `resultProcessed` (onResultProcess) and `finish` (onResponse).
   */
  begin(request: Request, pathname: string, outer?: Request): void;
  params(request: Request, operationName: string | null | undefined): void;
  parsed(request: Request, document: DocumentNode): void;
  resultProcessed(request: Request, result: unknown): void;
  finish(request: Request, response: Response): void;
}

interface RequestState {
  id: string;
  start: number;
  tenant: string | undefined;
  /** Set once yoga has read GraphQL parameters: the request counts as an operation. */
  graphql: boolean;
  operationName: string | undefined;
  operationType: OperationType;
  /** A REST call's GraphQL request (src/rest/plugin.ts): the REST request's state. */
  outer?: RequestState;
  /** A REST call: the operation its GraphQL request ran, for its log line. */
  ran?: { name: string | undefined; type: OperationType };
}

/**
 * The server-context key under which the REST face passes its request to the GraphQL request it
 * runs in-process: that request shares the REST request's id and logs no line of its own; the REST
 * request's line names the operation. Its metrics count as any GraphQL operation's.
 */
export const OUTER_REQUEST = 'restOuterRequest';

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const TENANT_PATH = /^\/api\/v1\/([^/]{1,100})\//;
/** Probes and scrapes are logged at debug, so that they do not drown the requests. */
const QUIET_PATHS = new Set(['/health', '/ready', '/metrics']);

type WithRequest = { request?: Request } | undefined;

export function createObservability(deps: { metrics: Metrics; logger: Logger }): Observability {
  const { metrics, logger } = deps;
  const requests = new WeakMap<Request, RequestState>();
  const subscriptions = new OpenSubscriptions();
  let draining = false;

  const countResult = (result: unknown) => {
    for (const item of Array.isArray(result) ? result : [result]) {
      metrics.countErrors((item as ExecutionResult | undefined)?.errors);
    }
  };
  const track = (result: AsyncIterable<ExecutionResult>) =>
    subscriptions.track(result, {
      onValue: (value) => metrics.countErrors(value.errors),
      onOpen: metrics.subscriptionOpened,
      onClose: metrics.subscriptionClosed,
    });

  const plugin: Plugin = {
    onRequest({ request, url, endResponse, serverContext }) {
      const outerRequest = (serverContext as Record<string, unknown> | undefined)?.[OUTER_REQUEST];
      begin(request, url.pathname, outerRequest as Request | undefined);
      if (url.pathname === '/ready' && draining) {
        endResponse(Response.json({ ready: false, draining: true }, { status: 503 }));
      } else if (url.pathname === '/metrics' && request.method === 'GET') {
        const headers = {
          'content-type': metrics.registry.contentType,
          'cache-control': 'no-store',
        };
        return metrics.registry.metrics().then((body) => {
          endResponse(new Response(body, { headers }));
        });
      }
    },
    onParams({ request, params: { operationName } }) {
      params(request, operationName);
    },
    onParse({ context }) {
      return ({ result }) => {
        const request = (context as WithRequest)?.request;
        if (!request || result instanceof Error) return;
        parsed(request, result as DocumentNode);
      };
    },
    // Over HTTP the response (onResultProcess, onResponse) is measured; over graphql-ws there is
    // no request, so execution and subscribe are.
    onExecute({ args }) {
      if ((args.contextValue as WithRequest)?.request) return;
      const start = performance.now();
      return {
        onExecuteDone({ result }) {
          const operation = getOperationAST(args.document, args.operationName);
          const seconds = (performance.now() - start) / 1000;
          metrics.observeOperation(
            operation?.name?.value,
            operation?.operation ?? 'unknown',
            seconds,
          );
          if (!isAsyncIterable(result)) countResult(result);
        },
      };
    },
    onSubscribe({ args }) {
      const overHttp = Boolean((args.contextValue as WithRequest)?.request);
      const start = performance.now();
      return {
        onSubscribeResult({ result, setResult }) {
          if (!overHttp) {
            const name = getOperationAST(args.document, args.operationName)?.name?.value;
            metrics.observeOperation(name, 'subscription', (performance.now() - start) / 1000);
          }
          if (isAsyncIterable(result)) setResult(track(result));
          else if (!overHttp) countResult(result);
        },
      };
    },
    onResultProcess({ request, result }) {
      resultProcessed(request, result);
    },
    onResponse({ request, response }) {
      finish(request, response);
    },
  };

  function begin(request: Request, pathname: string, outerRequest?: Request): void {
    const outer = outerRequest ? requests.get(outerRequest) : undefined;
    const sent = request.headers.get('x-request-id');
    requests.set(request, {
      outer,
      id: outer?.id ?? (sent && REQUEST_ID.test(sent) ? sent : randomUUID()),
      start: performance.now(),
      tenant: tenantOf(pathname),
      graphql: false,
      operationName: undefined,
      operationType: 'unknown',
    });
  }

  function params(request: Request, operationName: string | null | undefined): void {
    const state = requests.get(request);
    if (!state) return;
    state.graphql = true;
    state.operationName = operationName ?? undefined;
  }

  function parsed(request: Request, document: DocumentNode): void {
    const state = requests.get(request);
    if (!state) return;
    const operation = getOperationAST(document, state.operationName);
    if (!operation) return;
    state.operationType = operation.operation;
    state.operationName = operation.name?.value;
  }

  function resultProcessed(request: Request, result: unknown): void {
    // Streams are counted event by event (track); a single or batched result here.
    if (requests.has(request) && !isAsyncIterable(result)) countResult(result);
  }

  function finish(request: Request, response: Response): void {
    const state = requests.get(request);
    if (!state) return;
    requests.delete(request);
    const seconds = (performance.now() - state.start) / 1000;
    response.headers.set('x-request-id', state.id);
    if (draining) response.headers.set('connection', 'close');
    if (state.graphql) metrics.observeOperation(state.operationName, state.operationType, seconds);
    if (state.outer) {
      state.outer.ran = { name: state.operationName, type: state.operationType };
      return;
    }
    const path = new URL(request.url).pathname;
    const level = response.status >= 500 ? 'error' : QUIET_PATHS.has(path) ? 'debug' : 'info';
    logger[level](
      {
        reqId: state.id,
        method: request.method,
        path,
        tenant: state.tenant,
        operation: state.graphql ? (state.operationName ?? null) : state.ran?.name,
        operationType: state.graphql ? state.operationType : state.ran?.type,
        status: response.status,
        durationMs: Math.round(seconds * 10_000) / 10,
      },
      'request',
    );
  }

  return {
    plugin,
    begin,
    params,
    parsed,
    resultProcessed,
    finish,
    drain: () => {
      draining = true;
    },
    endSubscriptions: () => subscriptions.endAll(),
  };
}

function tenantOf(pathname: string): string | undefined {
  const match = TENANT_PATH.exec(pathname);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!).toLowerCase();
  } catch {
    return undefined;
  }
}
