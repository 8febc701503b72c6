import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { openDatabase } from './db/open.js';
import { migrateToLatest } from './db/migrate.js';
import { createDispatcher } from './messages/create-dispatcher.js';

/**
 * `npm run dispatcher`: the message dispatcher as its own process, beside servers started with
 * DISPATCHER=off (or with them: dispatchers share the work through SKIP LOCKED claims).
 */
const config = loadConfig();
const logger = createLogger(config.logLevel);
const database = await openDatabase(config);
await migrateToLatest(database.handle.db);
const dispatcher = createDispatcher(config, database.handle.db, logger);
dispatcher.start();
logger.info('dispatcher started');
process.stdout.write('dispatcher started\n');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await dispatcher.stop();
    await database.close();
    process.exit(0);
  });
}
