import { type ExecutionResult, GraphQLError, Kind } from 'graphql';
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';

/**
 * Every error that leaves the server has `extensions.code` (README "Errors"). Ours are raised with
 * one (src/errors.ts); this gives one to those graphql-js, yoga and Pothos raise without:
 * - a variable whose value does not fit its type, or a required one left out: BAD_USER_INPUT with
 *   `extensions.field` naming the variable, HTTP 400 as before (GraphQL over HTTP: a request
 *   error);
 * - a request body the server cannot read (e.g. malformed multipart): BAD_REQUEST, 400;
 * - any other request error (an HTTP status 4xx, e.g. an unknown `operationName`): BAD_REQUEST;
 * - anything else is a bug: INTERNAL_SERVER_ERROR, and logged.
 * It runs on execution results (HTTP, SSE and graphql-ws alike) and on every HTTP response's
 * errors, so request errors raised before execution are covered too.
 */
export function useErrorCodes(logger: Logger): Plugin {
  const code = (result: ExecutionResult) => withCodes(result, logger);
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          throw unreadableRequest(error);
        }
      });
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (!isAsyncIterable(result)) {
            setResult(code(result));
            return;
          }
          return { onNext: ({ result: next, setResult: setNext }) => setNext(code(next)) };
        },
      };
    },
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) {
            setResult(code(result));
            return;
          }
          return { onNext: ({ result: next, setResult: setNext }) => setNext(code(next)) };
        },
      };
    },
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map(code));
      else if (!isAsyncIterable(result)) setResult(code(result));
    },
  };
}

/** `result`, or a copy whose errors all have a code; the same object when none lacked one. */
export function withCodes<T extends ExecutionResult>(result: T, logger: Logger): T {
  if (!result.errors?.some(lacksCode)) return result;
  return { ...result, errors: result.errors.map((error) => withCode(error, logger)) };
}

/** The variable a coercion error is about: graphql-js points it at the variable's definition. */
function variableOf(error: GraphQLError): string | undefined {
  const node = error.nodes?.[0];
  return node?.kind === Kind.VARIABLE_DEFINITION ? node.variable.name.value : undefined;
}

/** No code, or BAD_USER_INPUT without its field (a scalar's own error, wrapped for a variable). */
function lacksCode(error: GraphQLError): boolean {
  const code = error.extensions?.code;
  return !code || (code === 'BAD_USER_INPUT' && !error.extensions.field && !!variableOf(error));
}

function withCode(error: GraphQLError, logger: Logger): GraphQLError {
  if (!lacksCode(error)) return error;
  const variable = variableOf(error);
  if (variable !== undefined) return copy(error, { code: 'BAD_USER_INPUT', field: variable });
  // Not a GraphQL error underneath: yoga masks it as INTERNAL_SERVER_ERROR and logs it.
  if (error.originalError && !(error.originalError instanceof GraphQLError)) return error;
  const status = (error.extensions?.http as { status?: number } | undefined)?.status ?? 0;
  if (status >= 400 && status < 500) return copy(error, { code: 'BAD_REQUEST' });
  logger.error({ err: error }, 'error without a code');
  return copy(error, { code: 'INTERNAL_SERVER_ERROR' });
}

function copy(error: GraphQLError, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, ...extensions },
  });
}

/**
 * A request the server could not read is the client's error (400 BAD_REQUEST), not a 500: yoga's
 * multipart parser, for one, throws without a code on a missing or invalid `operations` field.
 */
function unreadableRequest(error: unknown): unknown {
  if (error instanceof GraphQLError && error.extensions?.code) return error;
  if (error instanceof Error && error.name === 'AbortError') return error;
  const message = error instanceof GraphQLError ? error.message : 'The request could not be read.';
  return createGraphQLError(message, {
    extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
  });
}

/** A syntax error from `parse` as yoga reports it over HTTP: GRAPHQL_PARSE_FAILED. */
export function parseFailed(error: GraphQLError): GraphQLError {
  return error.extensions?.code ? error : copy(error, { code: 'GRAPHQL_PARSE_FAILED' });
}
