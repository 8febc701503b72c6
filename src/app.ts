import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, maskError, useReadinessCheck, type YogaServerInstance } from 'graphql-yoga';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import type { Config } from './config.js';
import type { Context } from './context.js';
import type { Database } from './db/types.js';
import { type AuthRow, authenticate } from './auth/authenticate.js';
import { AuthCache } from './auth/auth-cache.js';
import { isIntrospectionOnly } from './auth/introspection.js';
import { setMaxPageSize } from './db/connection.js';
import { schema, unguardedSchema } from './schema.js';
import { useCompiledExecution } from './compiled-execution.js';
import { yogaLogger } from './logger.js';
import { useSettingsPage } from './settings/plugin.js';
import { type GraphQLFetcher, useRestApi } from './rest/plugin.js';
import { REST_ROUTES } from './rest/routes.js';
import { useRestDocs } from './rest/docs-plugin.js';
import { EventBus } from './events.js';
import { createDispatcher } from './messages/create-dispatcher.js';
import { createDatabase, type DatabaseHandle } from './db/database.js';
import { useWhatsAppWebhook } from './webhooks/plugin.js';
import { createMetrics } from './observability/metrics.js';
import { createObservability } from './observability/plugin.js';
import { readiness } from './observability/readiness.js';
import { closeHttpServer } from './lifecycle/shutdown.js';
import { useLimits } from './limits/plugin.js';
import { parseWithLimits } from './limits/armor.js';
import { useInputTextCheck } from './input-text.js';
import { parseFailed, useErrorCodes } from './error-codes.js';
import { AcceptedDocuments, createFastPath, useAcceptedDocuments } from './fast-path.js';
import { attachSocket, useSharedSubscriptions } from './subscriptions/shared-execution.js';
import { revalidateStatusSubscriber } from './messages/subscription.js';

const ENDPOINT = /^\/api\/v1\/([^/]+)\/graphql\/?$/;

/** The tenant subdomain in `/api/v1/:tenant/graphql`, or undefined for any other path. */
export function tenantFromPath(pathname: string): string | undefined {
  const match = ENDPOINT.exec(pathname);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!).toLowerCase();
  } catch {
    return undefined;
  }
}

export interface AppOptions {
  config: Config;
  db: Kysely<Database>;
  logger: Logger;
  /** For LISTEN/NOTIFY; defaults to config.databaseUrl. */
  connectionString?: string;
}

export interface App {
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  server: Server;
  /** The pool the rate-limit buckets are charged on (its statements are not in `db`'s). */
  limitsDatabase: DatabaseHandle;
  /** Listens on config.host:config.port (0 picks a free port); resolves to the base URL. */
  start(): Promise<string>;
  /**
   * Graceful: stops accepting connections, closes graphql-ws sockets (1001) and ends SSE streams,
   * lets HTTP requests in flight finish until `deadlineMs`, then stops the dispatcher (in-flight
   * sends finish, unstarted claims are released) and the event bus. The database is the caller's.
   */
  stop(deadlineMs?: number): Promise<void>;
}

export function createApp({ config, db, logger, connectionString }: AppOptions): App {
  let listeningUrl = '';
  const events = new EventBus(connectionString ?? config.databaseUrl ?? '', logger);
  setMaxPageSize(config.maxPageSize);
  const authCache = new AuthCache<AuthRow>(events, {
    ttlMs: config.authCacheTtlMs,
    maxEntries: 10_000,
  });
  const metrics = createMetrics(db, logger);
  const observability = createObservability({ metrics, logger });
  // Sends queued messages from this process unless DISPATCHER=off (then `npm run dispatcher`),
  // on a small pool of its own: under load, request queries would otherwise starve it.
  const dispatcherDatabase = config.dispatcher.inProcess
    ? createDatabase(connectionString ?? config.databaseUrl ?? '', { max: 3 })
    : undefined;
  // Rate-limit charges on a small pool of their own: every request waits for its charge, which
  // must not queue for a connection behind other requests' reads (src/limits/plugin.ts).
  const limitsDatabase = createDatabase(connectionString ?? config.databaseUrl ?? '', { max: 2 });
  const dispatcher = dispatcherDatabase
    ? createDispatcher(config, dispatcherDatabase.db, logger, { onResult: metrics.recordDispatch })
    : undefined;
  const baseUrl = (request: { url: string }) =>
    config.publicBaseUrl ?? (listeningUrl || new URL(request.url).origin);

  /**
   * `query` is given for HTTP requests: an operation that only introspects the schema is answered
   * for an existing tenant without a working secret (the anonymous principal), so that GraphiQL
   * loads its docs and autocompletion before the user has pasted a token. Nothing else runs
   * without one.
   */
  async function buildContext(
    subdomain: string,
    authorization: string | null | undefined,
    requestUrl: string,
    query?: string,
  ): Promise<Context> {
    const { tenant, principal } = await authenticate(
      db,
      subdomain,
      authorization,
      new Date(),
      authCache,
      { allowAnonymous: () => isIntrospectionOnly(query) },
    );
    return {
      db,
      config,
      tenant,
      principal,
      authCache,
      baseUrl: baseUrl({ url: requestUrl }),
      events,
      wakeDispatcher: () => dispatcher?.wake(),
    };
  }

  // yoga's masking, as configured below; the fast path masks with it too.
  const maskUnexpected = (error: unknown, message: string) => {
    const masked = maskError(error, message, false);
    if (masked !== error) logger.error({ err: error }, 'unexpected error');
    return masked;
  };
  const documents = new AcceptedDocuments(1000);

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/api/v1/:tenant/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    // useBodyLimit (src/limits/request.ts) enforces our smaller limit, from Content-Length when
    // the client sends one; yoga's own would pipe every body through a counting stream.
    maxRequestBodySize: false,
    // GraphiQL's assets are served from the package, so the playground works offline.
    renderGraphiQL,
    logging: yogaLogger(logger),
    maskedErrors: { maskError: maskUnexpected },
    graphiql: (request) => {
      const tenant = tenantFromPath(new URL(request.url).pathname) ?? '';
      return {
        title: `GraphiQL · ${tenant}`,
        headers: JSON.stringify({ Authorization: 'Bearer PASTE_YOUR_TOKEN_HERE' }, null, 2),
        defaultQuery: `# Paste your token into the Headers tab below, then run:\n{\n  viewer {\n    tenant { subdomain name apiEnabled }\n    kind\n    abilities\n  }\n}\n`,
        subscriptionsProtocol: 'SSE',
      };
    },
    context: async (initial) => {
      // graphql-ws operations arrive with their context already authenticated (see onSubscribe).
      if ('principal' in initial) return initial as unknown as Context;
      const { request } = initial;
      const subdomain = tenantFromPath(new URL(request.url).pathname) ?? '';
      return buildContext(
        subdomain,
        request.headers.get('authorization'),
        request.url,
        initial.params.query,
      );
    },
    plugins: [
      observability.plugin,
      useWhatsAppWebhook({ db, config, logger }),
      useSettingsPage(db, logger),
      useRestApi({
        routes: REST_ROUTES,
        maxBodyBytes: config.limits.maxBodyBytes,
        // In-process, through the fast path once yoga has accepted a route's document.
        yoga: (): GraphQLFetcher => fastPath,
        logger,
        checkCaller: (tenant, authorization) =>
          authenticate(
            db,
            tenantFromPath(`/api/v1/${tenant}/graphql`) ?? '',
            authorization,
            new Date(),
            authCache,
          ).then(
            () => undefined,
            (error: unknown) => {
              if (error instanceof GraphQLError) return error;
              throw error;
            },
          ),
      }),
      useRestDocs({ db, logger, baseUrl }),
      ...useLimits(config, limitsDatabase.db),
      useInputTextCheck(),
      useErrorCodes(logger),
      useCompiledExecution(unguardedSchema, {
        enabled: config.compiledExecution,
        onCompiled: metrics.countCompiled,
      }),
      // After the limits: each subscriber is charged before it joins a shared execution.
      useSharedSubscriptions({
        revalidate: revalidateStatusSubscriber,
        onExecuted: metrics.countSubscriptionExecution,
      }),
      useReadinessCheck({
        endpoint: '/ready',
        check: () => readiness({ db, dispatcher, logger }),
      }),
      // Last: records a document once every validation rule above has passed it.
      useAcceptedDocuments(documents),
    ],
  });

  // Requests for a document yoga has accepted skip yoga's pipeline (src/fast-path.ts).
  const fastPath = createFastPath({
    yoga,
    config,
    logger,
    metrics,
    observability,
    documents,
    maskError: maskUnexpected,
  });
  const server = createServer(fastPath.listener);
  // A frame over the limit closes the socket with 1009, judged from its header, the payload unread.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.limits.maxBodyBytes });
  server.on('upgrade', (request: IncomingMessage, socket, head) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (!tenantFromPath(pathname)) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      wss.emit('connection', ws, request);
      // ws emits 'error' only for a client's protocol violation (an oversized frame, invalid UTF-8),
      // once it has closed the socket with the matching code; graphql-ws would print each one to
      // the console as an internal error.
      ws.removeAllListeners('error');
      ws.on('error', (error: Error & { code?: string }) =>
        logger.info(
          { code: error.code, reason: error.message },
          'graphql-ws: client broke the protocol',
        ),
      );
    });
  });

  const wsServer = useServer(
    {
      // Authenticates once on connection_init; a refused connection closes with 4401/4403/4404.
      onConnect: async (ctx) => {
        try {
          await wsContext(ctx.extra.request, ctx.connectionParams);
          return true;
        } catch (error) {
          const code = (error as GraphQLError).extensions?.code;
          const close =
            code === 'TENANT_NOT_FOUND' ? 4404 : code === 'API_ACCESS_DISABLED' ? 4403 : 4401;
          ctx.extra.socket.close(close, (error as Error).message.slice(0, 120));
          return false;
        }
      },
      onSubscribe: async (ctx, id, payload) => {
        let document;
        try {
          document = parseWithLimits(config, payload.query);
        } catch (error) {
          return [parseFailed(error as GraphQLError)];
        }
        // Re-authenticate per operation: a token revoked since connecting is refused here.
        const contextValue = await wsContext(ctx.extra.request, ctx.connectionParams).catch(
          (error: GraphQLError) => error,
        );
        if (contextValue instanceof GraphQLError) return [contextValue];
        // A live subscription whose token stops working ends, and so does the connection; one
        // that only lost its ability ends alone (FORBIDDEN), the socket's other operations go on.
        contextValue.onAuthLost = (error) => {
          if (error.extensions.code === 'FORBIDDEN') return;
          const code = error.extensions.code === 'UNAUTHENTICATED' ? 4401 : 4403;
          setTimeout(() => ctx.extra.socket.close(code, error.message.slice(0, 120)), 50);
        };
        const enveloped = yoga.getEnveloped({ ...contextValue, params: payload });
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        // A shared subscription writes its serialised results straight to this socket.
        attachSocket(args.contextValue as object, ctx.extra.socket, id);
        return args;
      },
      execute: (args) =>
        (args.rootValue as { execute: typeof import('graphql').execute }).execute(args),
      subscribe: (args) =>
        (args.rootValue as { subscribe: typeof import('graphql').subscribe }).subscribe(args),
    },
    wss,
  );

  function wsContext(
    request: IncomingMessage,
    params: Readonly<Record<string, unknown>> | undefined,
  ): Promise<Context> {
    const url = new URL(request.url ?? '/', listeningUrl || 'http://localhost');
    const authorization = Object.entries(params ?? {}).find(
      ([key]) => key.toLowerCase() === 'authorization',
    )?.[1];
    return buildContext(
      tenantFromPath(url.pathname) ?? '',
      typeof authorization === 'string' ? authorization : undefined,
      url.toString(),
    );
  }

  return {
    yoga,
    server,
    limitsDatabase,
    start: async () => {
      await events.start();
      dispatcher?.start();
      return new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const { port } = server.address() as AddressInfo;
          const host = config.host.includes(':') ? `[${config.host}]` : config.host;
          listeningUrl = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
          resolve(listeningUrl);
        });
      });
    },
    stop: async (deadlineMs = 10_000) => {
      observability.drain();
      const closed = closeHttpServer(server, deadlineMs);
      // Closes every graphql-ws socket with 1001 Going Away; a client that never answers the
      // close handshake is cut off at the deadline.
      const wsClosed = wsServer.dispose();
      observability.endSubscriptions();
      const how = await closed;
      if (how === 'deadline') for (const socket of wss.clients) socket.terminate();
      await wsClosed;
      await dispatcher?.stop();
      await dispatcherDatabase?.destroy();
      await limitsDatabase.destroy();
      authCache.close();
      await events.close();
    },
  };
}
