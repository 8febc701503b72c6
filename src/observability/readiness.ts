import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import { migrationsApplied } from '../db/migrate.js';
import type { Database } from '../db/types.js';
import type { Dispatcher } from '../messages/dispatcher.js';

/** How long /ready waits for the database before calling it unreachable. */
const DATABASE_TIMEOUT_MS = 2000;

export interface ReadinessChecks {
  database: 'ok' | 'unreachable';
  migrations: 'ok' | 'pending' | 'unknown';
  /** "off" when this process runs no dispatcher (DISPATCHER=off). */
  dispatcher: 'ok' | 'stalled' | 'off';
}

/**
 * GET /ready: 200 when the database answers, every migration is applied and the in-process
 * dispatcher's loop completed a cycle recently; 503 otherwise. The body names each check's state
 * and never an error's text (a connection error would show the database's address).
 */
export async function readiness(deps: {
  db: Kysely<Database>;
  dispatcher: Dispatcher | undefined;
  logger: Logger;
}): Promise<Response> {
  const checks: ReadinessChecks = {
    database: 'unreachable',
    migrations: 'unknown',
    dispatcher: deps.dispatcher ? (deps.dispatcher.healthy() ? 'ok' : 'stalled') : 'off',
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        await sql`select 1`.execute(deps.db);
        checks.database = 'ok';
        checks.migrations = (await migrationsApplied(deps.db)) ? 'ok' : 'pending';
      })(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('database check timed out')),
          DATABASE_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (error) {
    deps.logger.warn({ err: error }, 'readiness: database check failed');
  } finally {
    clearTimeout(timer);
  }
  const ready =
    checks.database === 'ok' && checks.migrations === 'ok' && checks.dispatcher !== 'stalled';
  return Response.json(
    { ready, checks },
    { status: ready ? 200 : 503, headers: { 'cache-control': 'no-store' } },
  );
}
