import { type Kysely, sql } from 'kysely';

// Every request charges its bucket (src/limits/rate-limit.ts), and a logged table makes each charge
// wait for its WAL record to reach the disk: about 400 µs a statement here, where the same statement
// on an unlogged table takes 75 µs (as long as `select 1`). A bucket is soft state: after a
// PostgreSQL crash an unlogged table comes back empty, which gives every caller a full bucket, and
// a standby does not have it (a promoted standby starts with full buckets too). A clean restart
// keeps it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table rate_limit_buckets set unlogged`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table rate_limit_buckets set logged`.execute(db);
}
