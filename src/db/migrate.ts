import type { Kysely, Migration, MigrationProvider, MigrationResult } from 'kysely';
import { Migrator } from 'kysely';
import * as foundation from '../../db/migrations/2026-11-25T00-00_foundation.js';
import * as contactsSourcesGroups from '../../db/migrations/2026-11-25T01-00_contacts-sources-groups.js';
import * as templatesBotsWhatsapp from '../../db/migrations/2026-11-25T02-00_templates-bots-whatsapp.js';
import * as messages from '../../db/migrations/2026-11-25T03-00_messages.js';
import * as rateLimits from '../../db/migrations/2026-11-25T04-00_rate-limits.js';
import * as groupContactOrder from '../../db/migrations/2026-12-02T00-00_group-contact-order.js';
import * as unloggedBuckets from '../../db/migrations/2026-12-02T01-00_unlogged-rate-limit-buckets.js';
import * as sendPacing from '../../db/migrations/2026-12-02T02-00_send-pacing.js';

/**
 * Every migration in db/migrations/, by file name. Imported statically rather than discovered at
 * run time, so that tsx, vitest and a compiled build load them alike; a test checks that this list
 * and the folder agree.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '2026-11-25T00-00_foundation': foundation,
  '2026-11-25T01-00_contacts-sources-groups': contactsSourcesGroups,
  '2026-11-25T02-00_templates-bots-whatsapp': templatesBotsWhatsapp,
  '2026-11-25T03-00_messages': messages,
  '2026-11-25T04-00_rate-limits': rateLimits,
  '2026-12-02T00-00_group-contact-order': groupContactOrder,
  '2026-12-02T01-00_unlogged-rate-limit-buckets': unloggedBuckets,
  '2026-12-02T02-00_send-pacing': sendPacing,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider });
}

/** Applies every pending migration; throws with the failing migration's name and cause. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResult[]> {
  const { error, results = [] } = await createMigrator(db).migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, {
      cause: error,
    });
  }
  return results;
}

/** True when every migration has been applied (used by /ready). */
export async function migrationsApplied(db: Kysely<any>): Promise<boolean> {
  const migrations = await createMigrator(db).getMigrations();
  return migrations.every((m) => m.executedAt !== undefined);
}
