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
export interface SourceTable {
  id: Generated<string>;
  tenant_id: string;
  name: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface GroupTable {
  id: Generated<string>;
  tenant_id: string;
  name: string;
  description: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type ContactType = 'lead' | 'customer';

export interface ContactTable {
  id: Generated<string>;
  tenant_id: string;
  first_name: string;
  /** '' when the contact has none (a keyset sort value cannot be null). */
  last_name: Generated<string>;
  company: string | null;
  type: ColumnType<ContactType, ContactType | undefined, ContactType>;
  email: string | null;
  /** E.164, e.g. +442079460958. */
  phone: string;
  /** ISO 3166-1 alpha-2. */
  country: string | null;
  description: string | null;
  status_id: string | null;
  source_id: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ContactGroupTable {
  tenant_id: string;
  group_id: string;
  contact_id: string;
  created_at: CreatedAt;
  /** The contact's `created_at`, set by a trigger (db/migrations/2026-12-02T00-00_…). */
  contact_created_at: Generated<Date>;
}

export type Source = Selectable<SourceTable>;
export type Group = Selectable<GroupTable>;
export type Contact = Selectable<ContactTable>;
export type NewContact = Insertable<ContactTable>;
export type ContactUpdate = Updateable<ContactTable>;
// --- end contacts, sources, groups: tables

// --- templates, bots, WhatsApp connection: tables (db/migrations/2026-11-25T02-00_templates-bots-whatsapp.ts)
export interface WhatsAppConnectionTable {
  id: Generated<string>;
  tenant_id: string;
  /** Unique across tenants: a webhook's `metadata.phone_number_id` names the tenant. */
  phone_number_id: string;
  waba_id: string;
  /** AES-256-GCM (src/whatsapp/secret-box.ts); the plaintext is never stored. */
  access_token_ciphertext: string;
  /** e.g. "EAAG…1234", to recognise the token without revealing it. */
  access_token_hint: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface TemplateTable {
  id: Generated<string>;
  tenant_id: string;
  /** Meta's template id. */
  meta_id: string;
  name: string;
  language: string;
  /** As Meta sends them (MARKETING, APPROVED, …); Meta may add values. */
  category: string;
  status: string;
  /** Meta's `components` array as received; written as JSON text. */
  components: ColumnType<Record<string, unknown>[], string, string>;
  /** The BODY component's text, kept for search. */
  body_text: string;
  rejected_reason: string | null;
  /** Set when Meta stopped listing the template; cleared if it comes back. */
  removed_at: Date | null;
  synced_at: ColumnType<Date, Date | string | undefined, Date | string>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** What a message bot replies with; the fields used depend on its reply_type. */
export interface MessageBotContent {
  text?: string;
  header?: string;
  footer?: string;
  media?: { type: string; url: string; filename?: string };
  buttons?: { id: string; title: string }[];
  ctaButton?: { text: string; url: string };
}

export interface MessageBotTable {
  id: Generated<string>;
  tenant_id: string;
  name: string;
  trigger_type: string;
  keywords: string[];
  reply_type: string;
  content: ColumnType<MessageBotContent, string, string>;
  active: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** One template parameter of a template bot: a contact field or a fixed value. */
export type TemplateBotParameter = { contactField: string } | { value: string };

export interface TemplateBotParameters {
  /** The text header's {{1}}, when the template has one. */
  header: TemplateBotParameter | null;
  /** The media header's link, when the template has an IMAGE, VIDEO or DOCUMENT header. */
  headerMediaUrl: string | null;
  /** Body {{1}}…{{n}}, in order. */
  body: TemplateBotParameter[];
  /** One per button that takes a parameter (dynamic URL, copy code), in button order. */
  buttons: TemplateBotParameter[];
}

export interface TemplateBotTable {
  id: Generated<string>;
  tenant_id: string;
  name: string;
  trigger_type: string;
  keywords: string[];
  template_id: string;
  parameters: ColumnType<TemplateBotParameters, string, string>;
  active: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type WhatsAppConnection = Selectable<WhatsAppConnectionTable>;
export type Template = Selectable<TemplateTable>;
export type MessageBot = Selectable<MessageBotTable>;
export type TemplateBot = Selectable<TemplateBotTable>;
// --- end templates, bots, WhatsApp connection: tables

// --- messages: tables (db/migrations/2026-11-25T03-00_messages.ts)
export interface MessageTable {
  id: Generated<string>;
  tenant_id: string;
  /** Null once the contact is deleted; the message keeps `to_phone`. */
  contact_id: string | null;
  to_phone: string;
  type: 'TEXT' | 'MEDIA' | 'TEMPLATE';
  /** What is sent, by type (see src/messages/content.ts). */
  content: ColumnType<unknown, string, string>;
  template_id: string | null;
  status: Generated<'QUEUED' | 'SENT' | 'DELIVERED' | 'READ' | 'FAILED'>;
  wamid: string | null;
  error: ColumnType<MessageError | null, string | null, string | null>;
  idempotency_key: string | null;
  transport: 'sandbox' | 'cloud';
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  claimed_until: Date | null;
  sending_started_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  sent_at: Date | null;
  delivered_at: Date | null;
  read_at: Date | null;
  failed_at: Date | null;
}

export interface MessageError {
  code: number;
  title: string;
  message: string;
  details?: string;
}

export interface MessageStatusEventTable {
  id: Generated<string>;
  tenant_id: string;
  message_id: string;
  status: string;
  previous_status: string | null;
  occurred_at: Date;
  recorded_at: CreatedAt;
  error: ColumnType<MessageError | null, string | null, never>;
  /** Who reported it: dispatcher, webhook, sandbox. */
  source: string;
}
// --- end messages: tables

// --- rate limits: tables (db/migrations/2026-11-25T04-00_rate-limits.ts)
export interface RateLimitBucketTable {
  tenant_id: string;
  /** `token:<api token id>`, `admin` (the admin key) or `sends` (messages per second). */
  bucket: string;
  /** The level at `updated_at`, in points (or messages). */
  available: number;
  /** Whether the last request that drew on this bucket was let through. */
  granted: boolean;
  updated_at: Date;
}
// --- end rate limits: tables

export interface Database {
  tenants: TenantTable;
  api_tokens: ApiTokenTable;
  statuses: StatusTable;
  // --- contacts, sources, groups: Database entries
  sources: SourceTable;
  groups: GroupTable;
  contacts: ContactTable;
  contact_groups: ContactGroupTable;
  // --- end contacts, sources, groups: Database entries
  // --- templates, bots, WhatsApp connection: Database entries
  whatsapp_connections: WhatsAppConnectionTable;
  templates: TemplateTable;
  message_bots: MessageBotTable;
  template_bots: TemplateBotTable;
  // --- end templates, bots, WhatsApp connection: Database entries
  messages: MessageTable;
  message_status_events: MessageStatusEventTable;
  rate_limit_buckets: RateLimitBucketTable;
}

export type Tenant = Selectable<TenantTable>;
export type ApiToken = Selectable<ApiTokenTable>;
export type Status = Selectable<StatusTable>;
export type NewStatus = Insertable<StatusTable>;
export type StatusUpdate = Updateable<StatusTable>;
export type Message = Selectable<MessageTable>;
export type MessageStatusEvent = Selectable<MessageStatusEventTable>;
