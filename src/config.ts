import { z } from 'zod';

/**
 * The process configuration, read once from the environment (see README "Configuration").
 * Invalid values stop the process at start with a message naming the variable.
 */
const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_BASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  WHATSAPP_MODE: z.enum(['sandbox', 'cloud']).default('sandbox'),
  WHATSAPP_GRAPH_URL: z.string().url().default('https://graph.facebook.com/v21.0'),
  WHATSAPP_APP_SECRET: z.string().optional(),
  WHATSAPP_VERIFY_TOKEN: z.string().optional(),
  ENCRYPTION_KEY: z
    .string()
    .refine(
      (value) =>
        /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 32,
      'must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)',
    )
    .optional(),
  DISPATCHER: z.enum(['on', 'off']).default('on'),
  DISPATCH_IN_DOUBT_MS: z.coerce.number().int().min(0).default(60_000),
  DISPATCH_LEASE_MS: z.coerce.number().int().min(1000).default(30_000),
  DISPATCH_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(300),
  DISPATCH_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  SANDBOX_DELIVERED_MS: z.coerce.number().int().min(0).default(1500),
  SANDBOX_READ_MS: z.coerce.number().int().min(0).default(3000),
  QUERY_MAX_DEPTH: z.coerce.number().int().min(1).default(12),
  QUERY_MAX_ALIASES: z.coerce.number().int().min(0).default(30),
  QUERY_MAX_TOKENS: z.coerce.number().int().min(1).default(5000),
  QUERY_MAX_DIRECTIVES: z.coerce.number().int().min(0).default(20),
  QUERY_MAX_COST: z.coerce.number().int().min(1).default(1000),
  REQUEST_MAX_BYTES: z.coerce.number().int().min(1).default(100_000),
  WEBHOOK_MAX_BYTES: z.coerce.number().int().min(1).default(1_048_576),
  RATE_LIMIT_BUCKET_SIZE: z.coerce.number().int().min(1).default(1000),
  RATE_LIMIT_RESTORE_RATE: z.coerce.number().positive().default(50),
  SEND_RATE_LIMIT_MPS: z.coerce.number().int().min(1).default(80),
  AUTH_CACHE_TTL_MS: z.coerce.number().int().min(0).default(60_000),
  MAX_PAGE_SIZE: z.coerce.number().int().min(1).max(10_000).default(100),
  COMPILED_EXECUTION: z.enum(['on', 'off']).default('on'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.string().default('development'),
});

export type Env = z.infer<typeof schema>;

export interface Config {
  databaseUrl: string | undefined;
  port: number;
  host: string;
  /** What `apiInfo` reports; defaults to the address the server listens on. */
  publicBaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  whatsapp: {
    mode: 'sandbox' | 'cloud';
    graphUrl: string;
    appSecret: string | undefined;
    verifyToken: string | undefined;
  };
  /**
   * AES-256-GCM key for secrets stored in the database (WhatsApp access tokens). Unset: a random
   * key kept in `<dataDir>/encryption.key` (see src/whatsapp/secret-box.ts).
   */
  encryptionKey?: Buffer | undefined;
  dispatcher: {
    /** Run the dispatcher inside the server (off: run `npm run dispatcher` separately). */
    inProcess: boolean;
    /** How long a send interrupted by a crash waits for Meta's webhook before it is retried. */
    inDoubtMs: number;
    /**
     * How long a claim holds: a dispatcher that dies leaves its claimed, unsent messages to others
     * after this. Longer than a batch takes to send (batch / concurrency × send timeout).
     */
    leaseMs: number;
    /**
     * The most messages one dispatcher holds at once: claimed and waiting for their tenant's pace,
     * or sent and waiting for Meta's answer. It bounds the rate: at most concurrency × 1000 /
     * Meta's answer time (ms) a second (300 at 300 ms: 1,000/s, Meta's highest tier).
     */
    concurrency: number;
    /** The most messages one claim takes; claims continue while sends are in flight. */
    batchSize: number;
    /** The sandbox's simulated delivery and read delays. */
    sandboxDelaysMs: { delivered: number; read: number };
  };
  /** Refusals answer QUERY_TOO_COMPLEX, HTTP 400 (src/limits/). */
  limits: {
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
    maxDirectives: number;
    /** The most one operation may cost (src/limits/cost.ts); at most the bucket's size. */
    maxCost: number;
    /** The largest request body the GraphQL endpoint reads, and the largest graphql-ws frame. */
    maxBodyBytes: number;
    /** The largest body /webhooks/whatsapp reads (more: 413, before the signature is checked). */
    maxWebhookBytes: number;
  };
  /** Leaky buckets kept in PostgreSQL, shared by every instance (src/limits/rate-limit.ts). */
  rateLimit: {
    /** Query cost points per API token (the admin key: per tenant). */
    bucketSize: number;
    /** Points restored per second. */
    restoreRate: number;
    /**
     * Messages per second per tenant: accepted by the send mutations (burst: one second's worth),
     * and sent to the Cloud API by the dispatchers, together (src/messages/claim.ts).
     */
    sendsPerSecond: number;
  };
  /**
   * How long a looked-up token or admin key is reused without asking the database again
   * (src/auth/auth-cache.ts; changes made through the API or CLI reach every instance at once
   * anyway). 0: look it up on every request.
   */
  authCacheTtlMs: number;
  /** The most items one page of a connection may have (`first`/`last`). */
  maxPageSize: number;
  /**
   * Run queries and mutations the caller's abilities fully grant compiled (graphql-jit, no
   * per-field scope checks: src/compiled-execution.ts); off: every operation as graphql-js runs it.
   */
  compiledExecution: boolean;
  logLevel: Env['LOG_LEVEL'];
  production: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    port: e.PORT,
    host: e.HOST,
    publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    dataDir: e.DATA_DIR,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    whatsapp: {
      mode: e.WHATSAPP_MODE,
      graphUrl: e.WHATSAPP_GRAPH_URL.replace(/\/+$/, ''),
      appSecret: e.WHATSAPP_APP_SECRET,
      verifyToken: e.WHATSAPP_VERIFY_TOKEN,
    },
    encryptionKey: e.ENCRYPTION_KEY ? Buffer.from(e.ENCRYPTION_KEY, 'base64') : undefined,
    dispatcher: {
      inProcess: e.DISPATCHER === 'on',
      inDoubtMs: e.DISPATCH_IN_DOUBT_MS,
      leaseMs: e.DISPATCH_LEASE_MS,
      concurrency: e.DISPATCH_CONCURRENCY,
      batchSize: e.DISPATCH_BATCH_SIZE,
      sandboxDelaysMs: { delivered: e.SANDBOX_DELIVERED_MS, read: e.SANDBOX_READ_MS },
    },
    limits: {
      maxDepth: e.QUERY_MAX_DEPTH,
      maxAliases: e.QUERY_MAX_ALIASES,
      maxTokens: e.QUERY_MAX_TOKENS,
      maxDirectives: e.QUERY_MAX_DIRECTIVES,
      maxCost: e.QUERY_MAX_COST,
      maxBodyBytes: e.REQUEST_MAX_BYTES,
      maxWebhookBytes: e.WEBHOOK_MAX_BYTES,
    },
    rateLimit: {
      bucketSize: e.RATE_LIMIT_BUCKET_SIZE,
      restoreRate: e.RATE_LIMIT_RESTORE_RATE,
      sendsPerSecond: e.SEND_RATE_LIMIT_MPS,
    },
    authCacheTtlMs: e.AUTH_CACHE_TTL_MS,
    maxPageSize: e.MAX_PAGE_SIZE,
    compiledExecution: e.COMPILED_EXECUTION === 'on',
    logLevel: e.LOG_LEVEL,
    production: e.NODE_ENV === 'production',
  };
}
