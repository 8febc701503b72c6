import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * The database as the migrations in db/migrations/ leave it. Written once here and changed in the
 * same commit as the migration that changes the table.
 */
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

export interface TenantTable {
  id: Generated<string>;
  subdomain: string;
  name: string;
  api_enabled: Generated<boolean>;
  admin_key_hash: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ApiTokenTable {
  id: Generated<string>;
  tenant_id: string;
  name: string;
  /** SHA-256 of the plaintext, hex. The plaintext is never stored. */
  token_hash: string;
  /** The first characters of the plaintext, to tell tokens apart in a list. */
  token_hint: string;
  abilities: string[];
  created_at: CreatedAt;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

export interface StatusTable {
  id: Generated<string>;
  tenant_id: string;
  name: string;
  color: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

// --- contacts, sources, groups: tables (db/migrations/2026-11-25T01-00_contacts-sources-groups.ts)
// --- end contacts, sources, groups: tables

// --- templates, bots, WhatsApp connection: tables (db/migrations/2026-11-25T02-00_templates-bots-whatsapp.ts)
// --- end templates, bots, WhatsApp connection: tables

export interface Database {
  tenants: TenantTable;
  api_tokens: ApiTokenTable;
  statuses: StatusTable;
  // --- contacts, sources, groups: Database entries
  // --- end contacts, sources, groups: Database entries
  // --- templates, bots, WhatsApp connection: Database entries
  // --- end templates, bots, WhatsApp connection: Database entries
}

export type Tenant = Selectable<TenantTable>;
export type ApiToken = Selectable<ApiTokenTable>;
export type Status = Selectable<StatusTable>;
export type NewStatus = Insertable<StatusTable>;
export type StatusUpdate = Updateable<StatusTable>;
