import { sql } from 'kysely';
import { expect, inject, it } from 'vitest';
import { createDatabase } from '../src/db/database.js';

// Statements run as named prepared statements (src/db/database.ts): PostgreSQL parses and plans
// one a connection has run before once. One connection: its session's pg_prepared_statements.
it('prepares each statement once per connection and runs it again by name', async () => {
  const database = createDatabase(inject('adminUrl'), { max: 1 });
  try {
    const twice = sql<{ n: number }>`select ${5}::int * 2 as n /* prepared twice */`;
    expect((await twice.execute(database.db)).rows[0]!.n).toBe(10);
    expect((await twice.execute(database.db)).rows[0]!.n).toBe(10);
    const { rows } = await sql<{
      statement: string;
    }>`select statement from pg_prepared_statements where statement like '%prepared twice%'`.execute(
      database.db,
    );
    // Prepared once, though run twice (and the query reading the view is not itself listed twice).
    expect(rows.filter((r) => r.statement.includes('* 2 as n'))).toHaveLength(1);
  } finally {
    await database.destroy();
  }
});
