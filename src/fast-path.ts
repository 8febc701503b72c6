import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DocumentNode, type ExecutionResult, getOperationAST, GraphQLError } from 'graphql';
import {
  createGraphQLError,
  isAsyncIterable,
  type Plugin,
  processRegularResult,
  type YogaServerInstance,
} from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { withCodes } from './error-codes.js';
import type { Metrics } from './observability/metrics.js';
import { OUTER_REQUEST, type Observability } from './observability/plugin.js';

/**
 * The fast path: a GraphQL read or write whose document yoga has already accepted is answered
 * here, in the node:http handler, without yoga's request pipeline (fetch Request and URL objects,
 * request parsers, every plugin's onRequest/onParams/onParse/onValidate, result processors and the
 * node response adapter), which costs more than executing a small query (docs: PERFORMANCE.md).
 *
 * Nothing is decided twice: a document is served here only after it went through yoga once and
 * passed its parse and validation, our document limits included (`useAcceptedDocuments` records it,
 * keyed by its text). Then the request runs yoga's own enveloped context factory (authentication,
 * `src/app.ts`) and execute (every onExecute hook: cost and rate limit, input text, error codes,
 * masking), and ends with the same functions the observability and error-code plugins use and
 * yoga's `processRegularResult`. Anything the fast path does not handle goes to yoga unchanged:
 * another path, method, content type, Accept, an Origin (CORS), a body without Content-Length or
 * over the limit, a batch, unexpected parameters, a persisted query, a subscription, a document
 * yoga has not accepted yet, an unexpected (masked) authentication error.
 */

/** Accepted documents by their text, least recently used first. */
export class AcceptedDocuments {
  private readonly documents = new Map<string, DocumentNode>();

  constructor(private readonly maxEntries = 1000) {}

  get(query: string): DocumentNode | undefined {
    const document = this.documents.get(query);
    if (document) {
      this.documents.delete(query);
      this.documents.set(query, document);
    }
    return document;
  }

  set(query: string, document: DocumentNode): void {
    this.documents.delete(query);
    if (this.documents.size >= this.maxEntries) {
      this.documents.delete(this.documents.keys().next().value!);
    }
    this.documents.set(query, document);
  }

  get size(): number {
    return this.documents.size;
  }
}

/**
 * Records each HTTP request's document once yoga's validation (every rule: graphql-js's, armor's
 * limits) passed. Goes last in yoga's plugins. Parse-time limits (tokens, nesting) ran before.
 */
export function useAcceptedDocuments(documents: AcceptedDocuments): Plugin {
  return {
    onValidate({ context, params }) {
      const { request, params: graphqlParams } = context as {
        request?: Request;
        params?: { query?: unknown };
      };
      const query = graphqlParams?.query;
      if (!request || typeof query !== 'string') return;
      const document = params.documentAST;
      return ({ valid }) => {
        if (valid) documents.set(query, document);
      };
    },
  };
}

const ENDPOINT = /^\/api\/v1\/[^/?]+\/graphql$/;
/** The content type yoga answers for each Accept it is sent (test/fast-path.test.ts checks it). */
const ACCEPTED = new Map<string | undefined, string>([
  [undefined, 'application/json'],
  ['*/*', 'application/json'],
  ['application/json', 'application/json'],
  ['application/graphql-response+json', 'application/graphql-response+json'],
  ['application/graphql-response+json, application/json', 'application/graphql-response+json'],
]);
const PARAMETERS = new Set(['query', 'variables', 'operationName', 'extensions']);

interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown> | null;
}

export interface FastPathDeps {
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  config: Config;
  logger: Logger;
  metrics: Metrics;
  observability: Observability;
  documents: AcceptedDocuments;
  /** yoga's `maskedErrors.maskError` as configured (src/app.ts). */
  maskError: (error: unknown, message: string) => Error;
}

export interface FastPath {
  /** A node:http request listener: the fast path when it applies, else yoga. */
  listener(req: IncomingMessage, res: ServerResponse): void;
  /**
   * `yoga.fetch` for an in-process JSON POST (the REST face's operations): the fast way when yoga
   * has accepted the document, else yoga.fetch itself. The answer is the Response yoga would give.
   */
  fetch(
    url: string,
    init: { method: 'POST'; headers: Record<string, string>; body: string },
    serverContext: Record<string, unknown>,
  ): Promise<Response>;
}

export function createFastPath(deps: FastPathDeps): FastPath {
  const { yoga, config, logger, metrics, observability, documents } = deps;
  const maxBytes = config.limits.maxBodyBytes;

  const toYoga = (req: IncomingMessage, res: ServerResponse, body?: Buffer) => {
    // A body already read is handed over as it is: yoga's node adapter reads `req.body` first.
    if (body) (req as IncomingMessage & { body?: Buffer }).body = body;
    void yoga(req, res);
  };

  function listener(req: IncomingMessage, res: ServerResponse): void {
    const { headers } = req;
    const accepted = ACCEPTED.get(headers.accept);
    const length = Number(headers['content-length']);
    if (
      req.method !== 'POST' ||
      !accepted ||
      headers['content-type'] !== 'application/json' ||
      headers.origin !== undefined ||
      headers['transfer-encoding'] !== undefined ||
      !(length > 0 && length <= maxBytes) ||
      !ENDPOINT.test(req.url ?? '')
    ) {
      toYoga(req, res);
      return;
    }
    readBody(req, length).then(
      (body) => {
        if (!body) {
          res.destroy(); // the connection failed: nothing to answer
          return;
        }
        const params = paramsOf(body);
        const document = params && documents.get(params.query);
        const operation = document && getOperationAST(document, params.operationName);
        if (!operation || operation.operation === 'subscription') {
          toYoga(req, res, body);
          return;
        }
        serve(req, res, body, params, document, accepted).catch((error: unknown) => {
          logger.error({ err: error }, 'fast path failed');
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
      },
      () => res.destroy(),
    );
  }

  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    params: Params,
    document: DocumentNode,
    accepted: string,
  ): Promise<void> {
    const request = lightRequest(req);
    const result = await run({ request, params, req, res }, document, params);
    if (!result) {
      toYoga(req, res, body);
      return;
    }
    await answer(req, res, request, document, params, result, accepted);
  }

  /**
   * Authenticates (yoga's context factory) and executes (yoga's execute, every onExecute hook) an
   * accepted document; undefined when authentication failed in a way yoga would mask (a bug, the
   * database down), which yoga then answers from the start.
   */
  async function run(
    initial: { request: Request; params: Params } & Record<string, unknown>,
    document: DocumentNode,
    params: Params,
  ): Promise<ExecutionResult | undefined> {
    const enveloped = yoga.getEnveloped(initial);
    let contextValue: Context;
    try {
      contextValue = (await enveloped.contextFactory()) as unknown as Context;
    } catch (error) {
      if (
        !(error instanceof GraphQLError) ||
        deps.maskError(error, 'Unexpected error.') !== error
      ) {
        return undefined;
      }
      return { errors: [error] };
    }
    try {
      return (await enveloped.execute({
        schema: enveloped.schema,
        document,
        contextValue,
        variableValues: params.variables,
        operationName: params.operationName,
      })) as ExecutionResult;
    } catch (error) {
      return { errors: [requestError(error)] };
    }
  }

  /** What yoga's handleError makes of an error thrown while a request is processed. */
  function requestError(error: unknown): GraphQLError {
    const masked = deps.maskError(error, 'Unexpected error.');
    if (masked !== error) yoga.logger.error(error);
    return masked instanceof GraphQLError
      ? masked
      : createGraphQLError(masked.message, { originalError: masked });
  }

  async function answer(
    req: IncomingMessage,
    res: ServerResponse,
    request: Request,
    document: DocumentNode,
    params: Params,
    executed: ExecutionResult,
    accepted: string,
  ): Promise<void> {
    const response = respond(request, req.url!, document, params, executed, accepted);
    const text = await response.text();
    response.headers.forEach((value, key) => res.setHeader(key, value));
    res.writeHead(response.status);
    res.end(text);
  }

  /** The Response yoga would give for `executed`, with the observability of a request. */
  function respond(
    request: Request,
    pathname: string,
    document: DocumentNode,
    params: Params,
    executed: ExecutionResult,
    accepted: string,
    outer?: Request,
  ): Response {
    metrics.countFastPath();
    // The observability plugin's hooks, in yoga's order: onRequest, onParams, onParse, then
    // onResultProcess (before the error codes, as the plugins are ordered), onResponse.
    observability.begin(request, pathname, outer);
    observability.params(request, params.operationName);
    observability.parsed(request, document);
    if (isAsyncIterable(executed)) throw new Error('A single result was expected.');
    observability.resultProcessed(request, executed);
    const result = withCodes(executed, logger);
    const response = processRegularResult(result, yoga.fetchAPI, accepted);
    observability.finish(request, response);
    return response;
  }

  async function fetch(
    url: string,
    init: { method: 'POST'; headers: Record<string, string>; body: string },
    serverContext: Record<string, unknown>,
  ): Promise<Response> {
    const accepted = ACCEPTED.get(init.headers.accept);
    const params = accepted ? paramsOf(Buffer.from(init.body)) : undefined;
    const document = params && documents.get(params.query);
    const operation = document && getOperationAST(document, params.operationName);
    if (!accepted || !operation || operation.operation === 'subscription') {
      return yoga.fetch(url, init, serverContext);
    }
    const request = { method: 'POST', url, headers: new Headers(init.headers) } as Request;
    const result = await run({ ...serverContext, request, params }, document, params);
    if (!result) return yoga.fetch(url, init, serverContext);
    const outer = serverContext[OUTER_REQUEST] as Request | undefined;
    return respond(request, new URL(url).pathname, document, params, result, accepted, outer);
  }

  return { listener, fetch };
}

/** The parts of a fetch Request the context factory and observability read. */
function lightRequest(req: IncomingMessage): Request {
  const url = `http://${req.headers.host ?? 'localhost'}${req.url}`;
  const headers = {
    get(name: string): string | null {
      const value = req.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
    has(name: string): boolean {
      return req.headers[name.toLowerCase()] !== undefined;
    },
  };
  return { method: 'POST', url, headers } as unknown as Request;
}

/** The body, exactly `length` bytes as declared; undefined if the connection failed. */
function readBody(req: IncomingMessage, length: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    req.once('end', () => {
      if (size !== length) resolve(undefined);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.once('error', () => resolve(undefined));
    req.once('aborted', () => resolve(undefined));
  });
}

/** The GraphQL parameters, when the body is exactly what the fast path serves; else undefined. */
function paramsOf(body: Buffer): Params | undefined {
  let params: unknown;
  try {
    params = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined;
  const record = params as Record<string, unknown>;
  for (const key in record) if (!PARAMETERS.has(key)) return undefined;
  const { query, variables, operationName, extensions } = record;
  if (typeof query !== 'string') return undefined;
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return;
  if (operationName != null && typeof operationName !== 'string') return undefined;
  if (extensions != null && (typeof extensions !== 'object' || Array.isArray(extensions))) return;
  if (extensions && 'persistedQuery' in extensions) return undefined;
  return record as unknown as Params;
}
