import { GraphQLError } from 'graphql';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database, WhatsAppConnection } from '../db/types.js';
import { apiError } from '../errors.js';
import { CloudApi, CloudApiError } from './cloud-api.js';
import { decryptSecret, encryptionKey, encryptSecret } from './secret-box.js';
import * as repo from './repo.js';

/** What a client may see of an access token: its first and last four characters. */
export function accessTokenHint(token: string): string {
  return `${token.slice(0, 4)}…${token.slice(-4)}`;
}

/** The ciphertext is bound to the tenant (AAD), so it only decrypts on the tenant's own row. */
const aad = (tenantId: string) => `whatsapp_connections:${tenantId}`;

export async function saveConnection(
  db: Kysely<Database>,
  config: Config,
  tenantId: string,
  input: { phoneNumberId: string; wabaId: string; accessToken: string },
): Promise<WhatsAppConnection> {
  return repo.upsertConnection(db, tenantId, {
    phoneNumberId: input.phoneNumberId,
    wabaId: input.wabaId,
    accessTokenCiphertext: encryptSecret(encryptionKey(config), input.accessToken, aad(tenantId)),
    accessTokenHint: accessTokenHint(input.accessToken),
  });
}

/** No connection is set (or its token no longer decrypts): the admin has to set one. */
export function notConnected(reason: string): GraphQLError {
  return apiError('BAD_USER_INPUT', `${reason} Set it with setWhatsAppConnection.`, {
    reason: 'WHATSAPP_NOT_CONNECTED',
  });
}

/**
 * A client for the tenant's Cloud API account, with its decrypted token. Throws notConnected
 * when there is no usable connection.
 */
export async function openCloudApi(
  db: Kysely<Database>,
  config: Config,
  tenantId: string,
): Promise<{ api: CloudApi; connection: WhatsAppConnection }> {
  const connection = await repo.findConnection(db, tenantId);
  if (!connection) throw notConnected('This workspace has no WhatsApp connection.');
  const accessToken = decryptSecret(
    encryptionKey(config),
    connection.access_token_ciphertext,
    aad(tenantId),
  );
  if (accessToken === undefined) {
    throw notConnected(
      'The stored WhatsApp access token cannot be decrypted (was the encryption key changed?).',
    );
  }
  return { api: new CloudApi({ graphUrl: config.whatsapp.graphUrl, accessToken }), connection };
}

export type OpenedCloudApi = Awaited<ReturnType<typeof openCloudApi>>;

/**
 * The tenants' decrypted Cloud API clients, kept by one dispatcher so that a send does not read
 * and decrypt the connection again. `refresh` re-reads the rows of the tenants about to be sent
 * to (one statement per claimed batch) and keeps a client only while its row is unchanged: every
 * `setWhatsAppConnection` writes a new ciphertext (a fresh IV), so a changed token or phone number
 * is used from the next batch on, on every dispatcher. A removed or undecryptable connection is
 * dropped; `open` then fails as `openCloudApi` does.
 */
export class CloudApiCache {
  private readonly entries = new Map<string, { version: string; opened: OpenedCloudApi }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly config: Config,
    private readonly maxEntries = 10_000,
  ) {}

  async refresh(tenantIds: readonly string[]): Promise<void> {
    const wanted = [...new Set(tenantIds)];
    if (wanted.length === 0) return;
    let rows: WhatsAppConnection[];
    try {
      rows = await this.db
        .selectFrom('whatsapp_connections')
        .selectAll()
        .where('tenant_id', 'in', wanted)
        .execute();
    } catch (error) {
      // Not known to be current: `open` reads them again.
      for (const tenantId of wanted) this.entries.delete(tenantId);
      throw error;
    }
    const byTenant = new Map(rows.map((row) => [row.tenant_id, row]));
    for (const tenantId of wanted) {
      const row = byTenant.get(tenantId);
      const cached = this.entries.get(tenantId);
      if (!row) this.entries.delete(tenantId);
      else if (cached?.version !== versionOf(row)) this.store(tenantId, row);
    }
  }

  /** The tenant's client as last refreshed, or read now when there is none. */
  async open(tenantId: string): Promise<OpenedCloudApi> {
    const cached = this.entries.get(tenantId);
    if (cached) return cached.opened;
    const opened = await openCloudApi(this.db, this.config, tenantId);
    this.entries.set(tenantId, { version: versionOf(opened.connection), opened });
    return opened;
  }

  /** How many tenants' clients are kept (for tests). */
  get size(): number {
    return this.entries.size;
  }

  private store(tenantId: string, connection: WhatsAppConnection): void {
    this.entries.delete(tenantId);
    const accessToken = decryptSecret(
      encryptionKey(this.config),
      connection.access_token_ciphertext,
      aad(tenantId),
    );
    if (accessToken === undefined) return;
    if (this.entries.size >= this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    const api = new CloudApi({ graphUrl: this.config.whatsapp.graphUrl, accessToken });
    this.entries.set(tenantId, {
      version: versionOf(connection),
      opened: { api, connection },
    });
  }
}

const versionOf = (row: WhatsAppConnection) =>
  `${row.phone_number_id}\n${row.access_token_ciphertext}`;

/**
 * A Cloud API failure as the client sees it: code WHATSAPP_ERROR with Meta's message and codes
 * (never the token), so the admin can act on it; a field error, never a 500.
 */
export function whatsAppError(error: CloudApiError): GraphQLError {
  const { httpStatus, code, type, subcode, fbtraceId } = error.details;
  return new GraphQLError(`WhatsApp Cloud API error: ${error.message}`, {
    extensions: {
      code: 'WHATSAPP_ERROR',
      whatsapp: { httpStatus, code, type, subcode, fbtraceId },
    },
  });
}

/** Runs a Cloud API call, turning its CloudApiError into whatsAppError. */
export async function callCloudApi<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof CloudApiError) throw whatsAppError(error);
    throw error;
  }
}
