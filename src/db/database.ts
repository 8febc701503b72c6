import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './types.js';

// timestamptz → Date is pg's default; bigint counts (COUNT(*)) come back as strings, read as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface DatabaseHandle {
  db: Kysely<Database>;
  connectionString: string;
  pool: pg.Pool;
  /** Statements run through `db` since start; tests read it to count SQL per request. */
  statementCount(): number;
  destroy(): Promise<void>;
}

export function createDatabase(
  connectionString: string,
  options: { max?: number } = {},
): DatabaseHandle {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => {});
  let statements = 0;
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query' || event.level === 'error') statements += 1;
    },
  });
  return {
    db,
    connectionString,
    pool,
    statementCount: () => statements,
    destroy: () => db.destroy(),
  };
}
