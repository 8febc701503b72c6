import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Database } from '../db/types.js';
import { CloudApiCache } from '../whatsapp/connection.js';
import { Dispatcher, type DispatcherOptions } from './dispatcher.js';
import { createCloudTransport, createSandboxTransport } from './transports.js';

/**
 * The dispatcher as configured: both transports (each message names its own), the tenants' Cloud
 * API clients cached for its lifetime, the config's concurrency, pace and timings.
 */
export function createDispatcher(
  config: Config,
  db: Kysely<Database>,
  logger: Logger,
  extra: Partial<DispatcherOptions> = {},
): Dispatcher {
  const connections = new CloudApiCache(db, config);
  return new Dispatcher({
    db,
    logger,
    transports: {
      cloud: createCloudTransport({
        open: (tenantId) => connections.open(tenantId),
        refresh: (tenantIds) => connections.refresh(tenantIds),
      }),
      sandbox: createSandboxTransport(),
    },
    concurrency: config.dispatcher.concurrency,
    batchSize: config.dispatcher.batchSize,
    ratePerSecond: config.rateLimit.sendsPerSecond,
    inDoubtMs: config.dispatcher.inDoubtMs,
    leaseMs: config.dispatcher.leaseMs,
    sandboxDelaysMs: config.dispatcher.sandboxDelaysMs,
    ...extra,
  });
}
