import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Database } from '../db/types.js';
import { openCloudApi } from '../whatsapp/connection.js';
import { Dispatcher, type DispatcherOptions } from './dispatcher.js';
import { createCloudTransport, createSandboxTransport } from './transports.js';

/** The dispatcher as configured: both transports (each message names its own), the config's timings. */
export function createDispatcher(
  config: Config,
  db: Kysely<Database>,
  logger: Logger,
  extra: Partial<DispatcherOptions> = {},
): Dispatcher {
  return new Dispatcher({
    db,
    logger,
    transports: {
      cloud: createCloudTransport({ open: (tenantId) => openCloudApi(db, config, tenantId) }),
      sandbox: createSandboxTransport(),
    },
    inDoubtMs: config.dispatcher.inDoubtMs,
    leaseMs: config.dispatcher.leaseMs,
    sandboxDelaysMs: config.dispatcher.sandboxDelaysMs,
    ...extra,
  });
}
