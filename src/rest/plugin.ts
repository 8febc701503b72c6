import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { readBodyWithin } from '../limits/request.js';
import { OUTER_REQUEST } from '../observability/plugin.js';
import {
  bodyTooLarge,
  errorResponse,
  failureOf,
  pruneRefused,
  type GraphQLErrorJson,
  graphqlFailure,
  invalidInput,
  malformedJson,
  methodNotAllowed,
  unknownRoute,
} from './errors.js';
import type { RestInput, RestResult, RestRoute } from './route.js';

/** What the plugin needs of yoga: its in-process `fetch`. */
export interface GraphQLFetcher {
  fetch(url: string, init: RequestInit, serverContext: object): Promise<Response> | Response;
}

export interface RestApiOptions {
  routes: readonly RestRoute[];
  /** config.limits.maxBodyBytes: a larger body is 413, left unread. */
  maxBodyBytes: number;
  /** The yoga instance the plugin belongs to, whose pipeline runs each route's operation. */
  yoga: () => GraphQLFetcher;
  /** Where a failure of the plugin itself is logged (the client gets a bare 500). */
  logger: Pick<Logger, 'error'>;
  /**
   * Authenticates the caller as the GraphQL endpoint does and returns the refusal (a GraphQLError
   * with its code), or undefined for a caller the endpoint would serve. Consulted only when the
   * request fails before its operation runs (unknown route, wrong method, bad input), so that a
   * bad caller hears 401/403/404 TENANT_NOT_FOUND before anything about its input, as it would
   * from the operation; a good request authenticates once, in the pipeline.
   */
  checkCaller?: (tenant: string, authorization: string | null) => Promise<GraphQLError | undefined>;
}

/** Everything below the tenant, but for the paths other plugins serve there. */
const TENANT_PATH = /^\/api\/v1\/([^/]+)(\/.*)$/;
const NOT_REST = /^\/(?:graphql|settings|openapi\.json|docs)(?:\/.*)?$/;

interface CompiledPath {
  template: string;
  pattern: RegExp;
  names: string[];
  methods: Map<string, RestRoute>;
  allow: string[];
}

/** One matcher per path template, built once: `/contacts/{id}` → `^/contacts/([^/]+)/?$`. */
export function compileRoutes(routes: readonly RestRoute[]): CompiledPath[] {
  const paths = new Map<string, CompiledPath>();
  for (const route of routes) {
    let compiled = paths.get(route.path);
    if (!compiled) {
      const names: string[] = [];
      const source = route.path
        .split('/')
        .map((segment) => {
          const param = /^\{(\w+)\}$/.exec(segment);
          if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(param[1]!);
          return '([^/]+)';
        })
        .join('/');
      compiled = {
        template: route.path,
        pattern: new RegExp(`^${source}/?$`),
        names,
        methods: new Map(),
        allow: [],
      };
      paths.set(route.path, compiled);
    }
    if (compiled.methods.has(route.method)) {
      throw new Error(`Two REST routes for ${route.method} ${route.path}`);
    }
    compiled.methods.set(route.method, route);
    compiled.allow.push(route.method);
  }
  return [...paths.values()];
}

/** The path template `path` matches, with its decoded parameters; undefined when none does. */
function matchPath(
  paths: readonly CompiledPath[],
  path: string,
): { compiled: CompiledPath; params: Record<string, string> } | undefined {
  for (const compiled of paths) {
    const match = compiled.pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    for (let i = 0; i < compiled.names.length; i++) {
      try {
        params[compiled.names[i]!] = decodeURIComponent(match[i + 1]!);
      } catch {
        return undefined;
      }
    }
    return { compiled, params };
  }
  return undefined;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;

function resultResponse(result: RestResult, status: number): Response {
  switch (result.kind) {
    case 'object':
      return new Response(JSON.stringify({ data: result.data }), { status, headers: JSON_HEADERS });
    case 'list':
      return new Response(JSON.stringify({ data: result.data, meta: result.meta }), {
        status,
        headers: JSON_HEADERS,
      });
    case 'empty':
      return new Response(null, { status: 204 });
    case 'not-found':
      return errorResponse(404, { message: result.message, code: 'NOT_FOUND' });
  }
}

/**
 * The REST face (API.md "The REST face") at `/api/v1/:tenant/<path>`, for every path but
 * `graphql`, `settings`, `openapi.json` and `docs`. A request matching a route is validated with
 * the route's zod schemas (422 with every field's problems), then its operation runs through this
 * same yoga instance in-process, exactly as a GraphQL request with the caller's `Authorization`
 * would: authentication, abilities, limits, cost and rate limit, metrics and logs all apply. The
 * GraphQL answer becomes the REST one (src/rest/errors.ts for failures). Unknown paths are 404
 * naming the docs; a known path with another method is 405 with `Allow`.
 */
export function useRestApi(options: RestApiOptions): Plugin {
  const paths = compileRoutes(options.routes);
  const { maxBodyBytes } = options;

  /** `response`, unless the caller is refused first (see RestApiOptions.checkCaller). */
  async function callerFirst(request: Request, tenant: string, response: Response) {
    const refusal = await options.checkCaller?.(tenant, request.headers.get('authorization'));
    if (!refusal) return response;
    const http = refusal.extensions?.http as { headers?: Record<string, string> } | undefined;
    return graphqlFailure(
      { message: refusal.message, extensions: refusal.extensions },
      new Headers(http?.headers ?? {}),
    );
  }

  async function handle(request: Request, url: URL, tenant: string, path: string) {
    // Which routes exist is public (the OpenAPI document), so 404 and 405 need no caller.
    const found = matchPath(paths, path);
    if (!found) return unknownRoute(tenant, request.method, path);
    const route = found.compiled.methods.get(request.method);
    if (!route) return methodNotAllowed(request.method, path, found.compiled.allow);
    const input = await validate(request, url, route, found.params);
    if (input instanceof Response) return callerFirst(request, tenant, input);
    return run(request, url, tenant, { route, input });
  }

  /** The route's validated input, or the answer refusing the request before it runs. */
  async function validate(
    request: Request,
    url: URL,
    route: RestRoute,
    matched: Record<string, string>,
  ): Promise<Response | RestInput> {
    let params: Record<string, string> = matched;
    if (route.params) {
      const parsed = route.params.safeParse(params);
      if (!parsed.success) return invalidInput(parsed.error.issues, 'id');
      params = parsed.data as Record<string, string>;
    }
    let query: Record<string, unknown> = {};
    if (route.query) {
      const parsed = route.query.safeParse(Object.fromEntries(url.searchParams));
      if (!parsed.success) return invalidInput(parsed.error.issues, 'query');
      query = parsed.data as Record<string, unknown>;
    }
    let body: unknown;
    if (route.body) {
      const bytes = await readBodyWithin(request, maxBodyBytes);
      if (!bytes) return bodyTooLarge(maxBodyBytes);
      const text = new TextDecoder().decode(bytes);
      // An empty body is an empty object: `PATCH` with nothing to change, say.
      let json: unknown = {};
      if (text.trim() !== '') {
        try {
          json = JSON.parse(text);
        } catch {
          return malformedJson();
        }
      }
      const parsed = route.body.safeParse(json);
      if (!parsed.success) return invalidInput(parsed.error.issues, 'body');
      body = parsed.data;
    }

    return { params, query, body, headers: request.headers };
  }

  async function run(
    request: Request,
    url: URL,
    tenant: string,
    { route, input }: { route: RestRoute; input: RestInput },
  ) {
    const payload = JSON.stringify({
      query: route.document,
      variables: route.variables(input),
      operationName: route.operationId,
    });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      'content-length': String(Buffer.byteLength(payload)),
    };
    const authorization = request.headers.get('authorization');
    if (authorization !== null) headers.authorization = authorization;
    const response = await options
      .yoga()
      .fetch(
        `${url.origin}/api/v1/${tenant}/graphql`,
        { method: 'POST', headers, body: payload },
        { [OUTER_REQUEST]: request },
      );
    const result = (await response.json()) as {
      data?: Record<string, unknown> | null;
      errors?: GraphQLErrorJson[];
    };
    const failure = failureOf(result.errors);
    if (failure) return graphqlFailure(failure, response.headers, route.errorFields);
    if (!result.data) {
      return errorResponse(500, { message: 'Unexpected error.', code: 'INTERNAL_SERVER_ERROR' });
    }
    if (result.errors) pruneRefused(result.data, result.errors);
    return resultResponse(route.respond(result.data, input), route.status);
  }

  return {
    async onRequest({ request, url, endResponse }) {
      const match = TENANT_PATH.exec(url.pathname);
      if (!match || NOT_REST.test(match[2]!)) return;
      try {
        endResponse(await handle(request, url, match[1]!, match[2]!));
      } catch (error) {
        options.logger.error({ err: error }, 'REST route failed');
        endResponse(
          errorResponse(500, { message: 'Unexpected error.', code: 'INTERNAL_SERVER_ERROR' }),
        );
      }
    },
  };
}
