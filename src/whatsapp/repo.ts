import type { Kysely } from 'kysely';
import type { Database, WhatsAppConnection } from '../db/types.js';

export async function findConnection(
  db: Kysely<Database>,
  tenantId: string,
): Promise<WhatsAppConnection | undefined> {
  return db
    .selectFrom('whatsapp_connections')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
}

/**
 * The connection that owns a phone number, whichever tenant it belongs to: for webhooks, which
 * name only `metadata.phone_number_id`. The one query here not scoped by a tenant id, on purpose.
 */
export async function findConnectionByPhoneNumberId(
  db: Kysely<Database>,
  phoneNumberId: string,
): Promise<WhatsAppConnection | undefined> {
  return db
    .selectFrom('whatsapp_connections')
    .selectAll()
    .where('phone_number_id', '=', phoneNumberId)
    .executeTakeFirst();
}

/** Creates or replaces the tenant's one connection. */
export async function upsertConnection(
  db: Kysely<Database>,
  tenantId: string,
  values: {
    phoneNumberId: string;
    wabaId: string;
    accessTokenCiphertext: string;
    accessTokenHint: string;
  },
): Promise<WhatsAppConnection> {
  const row = {
    phone_number_id: values.phoneNumberId,
    waba_id: values.wabaId,
    access_token_ciphertext: values.accessTokenCiphertext,
    access_token_hint: values.accessTokenHint,
  };
  return db
    .insertInto('whatsapp_connections')
    .values({ tenant_id: tenantId, ...row })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ ...row, updated_at: new Date() }))
    .returningAll()
    .executeTakeFirstOrThrow();
}
