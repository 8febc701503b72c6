import { Kysely, PostgresDialect } from 'kysely';
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Database } from './types.js';

// timestamptz → Date is pg's default; bigint counts (COUNT(*)) come back as strings, read as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** The most statements one connection keeps prepared; later ones run unnamed, as before. */
const PREPARED_PER_CONNECTION = 500;

/**
 * Runs each connection's statements as named prepared statements, the first `PREPARED_PER_CONNECTION`
 * distinct texts of it: PostgreSQL parses and plans a statement the connection has run before once,
 * not on every request (PostGraphile does the same). Kysely runs `query(text, values)`; that call
 * becomes `query({ name, text, values })`, the name a digest of the text. Nothing else changes.
 */
function prepareStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const prepared = new Map<string, string>();
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
    const [text, values] = args;
    if (args.length !== 2 || typeof text !== 'string' || !Array.isArray(values)) {
      return query(...args);
    }
    let name = prepared.get(text);
    if (name === undefined) {
      if (prepared.size >= PREPARED_PER_CONNECTION) return query(...args);
      name = createHash('sha1').update(text).digest('base64url');
      prepared.set(text, name);
    }
    return query({ name, text, values });
  };
}

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
  pool.on('connect', prepareStatements);
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
