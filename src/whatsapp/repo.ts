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
 * Whether the tenant has a WhatsApp connection, as `findConnection` would tell. A yes is kept per
 * database handle for `CONNECTED_TTL_MS`: no code path removes a connection (it is only created or
 * replaced, and goes only with its tenant), so a kept yes can be stale only after a hand-made
 * DELETE, and for that long at most. A no is never kept: a connection made on another instance
 * is seen at once.
 */
export async function hasConnection(db: Kysely<Database>, tenantId: string): Promise<boolean> {
  let connected = connectedTenants.get(db);
  if (!connected) connectedTenants.set(db, (connected = new Map()));
  const since = connected.get(tenantId);
  if (since !== undefined && Date.now() - since < CONNECTED_TTL_MS) return true;
  const row = await db
    .selectFrom('whatsapp_connections')
    .select('tenant_id')
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  if (!row) {
    connected.delete(tenantId);
    return false;
  }
  if (connected.size >= 10_000) connected.clear();
  connected.set(tenantId, Date.now());
  return true;
}

const CONNECTED_TTL_MS = 60_000;
/** Per database handle: tenant id → when its connection was last seen. */
const connectedTenants = new WeakMap<object, Map<string, number>>();

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
