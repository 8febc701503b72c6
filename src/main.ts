import { loadConfig } from './config.js';
import { createApp } from './app.js';
import { createLogger } from './logger.js';
import { openDatabase } from './db/open.js';
import { migrateToLatest } from './db/migrate.js';
import { DEMO_TENANT, ensureDemoTenant } from './tenants/bootstrap.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);
const database = await openDatabase(config, (m) => logger.debug({ postgres: m }));
await migrateToLatest(database.handle.db);
const demo = await ensureDemoTenant(database.handle.db);
const app = createApp({
  config,
  db: database.handle.db,
  logger,
  connectionString: database.handle.connectionString,
});
const url = await app.start();
const endpoint = `${config.publicBaseUrl ?? url}/api/v1/${DEMO_TENANT}/graphql`;

logger.info({ url, database: database.description }, 'listening');
process.stdout.write(
  [
    '',
    `  GraphQL gateway ready (${database.description})`,
    `  GraphiQL:   ${endpoint}`,
    ...(demo
      ? [
          `  Created tenant "${DEMO_TENANT}". These secrets are shown once; keep them:`,
          `    admin key:  ${demo.adminKey}`,
          `    API token:  ${demo.token}   (every ability)`,
        ]
      : [
          `  Tenant "${DEMO_TENANT}" exists; new secrets: npm run cli -- tenant rotate-admin-key ${DEMO_TENANT}`,
        ]),
    '',
    '',
  ].join('\n'),
);

// Graceful stop (see App.stop): requests in flight get 10 s; the whole stop 30 s, or exit 1.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    setTimeout(() => {
      logger.error('stop took longer than 30 s; exiting');
      process.exit(1);
    }, 30_000).unref();
    try {
      await app.stop(10_000);
      await database.close();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'stop failed');
      process.exit(1);
    }
  });
}
