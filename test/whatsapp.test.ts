import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';

const WABA = '102290129340398';
const TOKEN = `EAAG${randomBytes(24).toString('hex')}Zx9Q`;
const SET = `mutation($input: SetWhatsAppConnectionInput!) {
  setWhatsAppConnection(input: $input) {
    whatsAppConnection { connected mode phoneNumberId wabaId accessTokenHint }
  }
}`;
const SYNC = 'mutation { syncTemplates { total } }';

let t: TestApp;
let dataDir: string;
let tenant: TestTenant;
/** Every response body seen, to prove the access token never comes back. */
const seen: string[] = [];

async function gql(who: TestTenant, query: string, variables = {}) {
  const res = await t.gql(who.subdomain, who.adminKey, query, variables);
  seen.push(JSON.stringify(res.body));
  return res;
}
const connect = (who: TestTenant, phoneNumberId: string, accessToken = TOKEN) =>
  gql(who, SET, { input: { phoneNumberId, wabaId: WABA, accessToken } });

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'gw-whatsapp-'));
  // Cloud mode against a port nothing listens on; no ENCRYPTION_KEY, so a key file in dataDir.
  t = await startTestApp({
    whatsapp: {
      mode: 'cloud',
      graphUrl: 'http://127.0.0.1:1/v21.0',
      appSecret: undefined,
      verifyToken: undefined,
    },
    dataDir,
    encryptionKey: undefined,
  });
  tenant = await t.createTenant();
});
afterAll(async () => {
  await t?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('setWhatsAppConnection', () => {
  it('stores the token encrypted under a generated key (mode 0600) and shows a hint', async () => {
    const before = await gql(tenant, '{ whatsAppConnection { connected phoneNumberId } }');
    expect(before.body.data).toEqual({
      whatsAppConnection: { connected: false, phoneNumberId: null },
    });
    const res = await connect(tenant, '109876543210987');
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.setWhatsAppConnection.whatsAppConnection).toEqual({
      connected: true,
      mode: 'CLOUD',
      phoneNumberId: '109876543210987',
      wabaId: WABA,
      accessTokenHint: 'EAAG…Zx9Q',
    });
    const read = await gql(tenant, '{ whatsAppConnection { connected accessTokenHint } }');
    expect(read.body.data).toEqual({
      whatsAppConnection: { connected: true, accessTokenHint: 'EAAG…Zx9Q' },
    });
    expect(statSync(path.join(dataDir, 'encryption.key')).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['phoneNumberId', { phoneNumberId: '+1 555 0100', wabaId: WABA, accessToken: TOKEN }],
    ['wabaId', { phoneNumberId: '109876543210987', wabaId: 'abc', accessToken: TOKEN }],
    ['accessToken', { phoneNumberId: '109876543210987', wabaId: WABA, accessToken: 'short' }],
  ])('refuses a bad %s with BAD_USER_INPUT', async (field, input) => {
    const res = await gql(tenant, SET, { input });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors?.[0]?.extensions?.field).toBe(field);
  });

  it("replaces the tenant's own connection, refuses another tenant's phone number", async () => {
    const replaced = await connect(tenant, '109876543210987', `${TOKEN.slice(0, -4)}AbCd`);
    expect(replaced.body.data?.setWhatsAppConnection.whatsAppConnection.accessTokenHint).toBe(
      'EAAG…AbCd',
    );
    await connect(tenant, '109876543210987');
    const other = await t.createTenant();
    const res = await connect(other, '109876543210987');
    expect(codes(res)).toEqual(['CONFLICT']);
    expect(res.body.errors?.[0]?.extensions?.field).toBe('phoneNumberId');
  });
});

describe('using the connection', () => {
  it('an unreachable Cloud API is WHATSAPP_ERROR, not a 500', async () => {
    const res = await gql(tenant, SYNC);
    expect(res.status).toBe(200);
    expect(codes(res)).toEqual(['WHATSAPP_ERROR']);
    expect(res.body.errors?.[0]?.message).toMatch(/could not be reached/);
  });

  it('no connection is BAD_USER_INPUT naming setWhatsAppConnection', async () => {
    const bare = await t.createTenant();
    const res = await gql(bare, SYNC);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors?.[0]?.message).toMatch(/setWhatsAppConnection/);
  });

  it("a tenant's ciphertext does not decrypt on another tenant's row", async () => {
    const thief = await t.createTenant();
    await connect(thief, '100000000000002', 'EAAGsomethingelse0000000');
    const db = t.database.db;
    const mine = await db
      .selectFrom('whatsapp_connections')
      .select('access_token_ciphertext')
      .where('tenant_id', '=', tenant.tenant.id)
      .executeTakeFirstOrThrow();
    await db
      .updateTable('whatsapp_connections')
      .set(mine)
      .where('tenant_id', '=', thief.tenant.id)
      .execute();
    const res = await gql(thief, SYNC);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors?.[0]?.message).toMatch(/cannot be decrypted/);
  });

  it('the token appears in no response and nowhere in the database in plaintext', async () => {
    expect(seen.length).toBeGreaterThan(5);
    const secretPart = TOKEN.slice(4, -4);
    for (const body of seen) expect(body).not.toContain(secretPart);
    const dump = await sql<{ row: string }>`
      SELECT row_to_json(w)::text AS row FROM whatsapp_connections w`.execute(t.database.db);
    expect(dump.rows.length).toBeGreaterThan(0);
    for (const { row } of dump.rows) expect(row).not.toContain(secretPart);
  });
});
