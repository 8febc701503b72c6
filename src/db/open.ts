import pg from 'pg';
import type { Config } from '../config.js';
import { createDatabase, type DatabaseHandle } from './database.js';
import { startEmbeddedPostgres } from './embedded.js';

export interface OpenDatabase {
  handle: DatabaseHandle;
  /** How the database was reached, for the start-up banner. */
  description: string;
  close(): Promise<void>;
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL under DATA_DIR — joined when another
 * process of ours (the server, or the CLI) already runs it, started here otherwise.
 */
export async function openDatabase(
  config: Config,
  log: (message: string) => void = () => {},
): Promise<OpenDatabase> {
  if (config.databaseUrl) {
    const handle = createDatabase(config.databaseUrl);
    return { handle, description: 'DATABASE_URL', close: () => handle.destroy() };
  }
  const url = `postgres://postgres:postgres@127.0.0.1:${config.embeddedPgPort}/postgres`;
  if (await reachable(url)) {
    const handle = createDatabase(url);
    return {
      handle,
      description: `embedded PostgreSQL on port ${config.embeddedPgPort} (shared)`,
      close: () => handle.destroy(),
    };
  }
  const embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, log);
  const handle = createDatabase(embedded.url);
  return {
    handle,
    description: `embedded PostgreSQL in ${config.dataDir}/postgres, port ${config.embeddedPgPort}`,
    close: async () => {
      await handle.destroy();
      await embedded.stop();
    },
  };
}
