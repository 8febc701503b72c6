import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';
import { graphql } from './generated/gql.js';

const VIEWER = graphql(`
  query Viewer {
    viewer {
      kind
      tokenName
      tenant {
        subdomain
      }
    }
  }
`);

let t: TestApp;
let acme: TestTenant;
let other: TestTenant;
let token: string;

beforeAll(async () => {
  t = await startTestApp();
  acme = await t.createTenant();
  other = await t.createTenant();
  token = await t.createToken(acme, ['statuses.read']);
});
afterAll(() => t.stop());

describe('authentication over HTTP', () => {
  it('accepts a valid token and says who is calling', async () => {
    const res = await t.gql(acme.subdomain, token, VIEWER);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.viewer).toMatchObject({
      kind: 'API_TOKEN',
      tenant: { subdomain: acme.subdomain },
    });
  });

  it('accepts the admin key', async () => {
    const res = await t.gql(acme.subdomain, acme.adminKey, VIEWER);
    expect(res.body.data?.viewer).toMatchObject({ kind: 'ADMIN', tokenName: null });
  });

  const unauthenticated: [string, () => Record<string, string>][] = [
    ['no Authorization header', () => ({})],
    ['a wrong scheme', () => ({ authorization: `Basic ${token}` })],
    ['an empty bearer', () => ({ authorization: 'Bearer ' })],
    ['an unknown token', () => ({ authorization: `Bearer wmk_${'x'.repeat(43)}` })],
    ['a string that is no token at all', () => ({ authorization: 'Bearer hello' })],
    ['a wrong admin key', () => ({ authorization: `Bearer wma_${'y'.repeat(43)}` })],
    ['the admin key of another tenant', () => ({ authorization: `Bearer ${other.adminKey}` })],
  ];
  it.each(unauthenticated)('refuses %s with 401 UNAUTHENTICATED', async (_name, headers) => {
    const res = await t.gql(acme.subdomain, undefined, VIEWER, undefined, { headers: headers() });
    expect(res.status).toBe(401);
    expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.body.data).toBeUndefined();
  });

  it('refuses a token of tenant A on tenant B as UNAUTHENTICATED', async () => {
    const res = await t.gql(other.subdomain, token, VIEWER);
    expect(res.status).toBe(401);
    expect(codes(res)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a revoked token from the next request on', async () => {
    const secret = await t.createToken(acme, ['statuses.read']);
    // Used twice first, so that it is served from the auth cache when it is revoked.
    for (let i = 0; i < 2; i++)
      expect((await t.gql(acme.subdomain, secret, VIEWER)).status).toBe(200);
    const { id } = await t.database.db
      .selectFrom('api_tokens')
      .select('id')
      .where('token_hash', '=', hashOf(secret))
      .executeTakeFirstOrThrow();
    const revoked = await t.gql(
      acme.subdomain,
      acme.adminKey,
      'mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { active } } }',
      { id: encodeId('ApiToken', id) },
    );
    expect(revoked.body.data?.revokeApiToken.apiToken.active).toBe(false);
    const res = await t.gql(acme.subdomain, secret, VIEWER);
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.message).toMatch(/revoked/);
  });

  it('refuses a token once its expiry has passed, cached or not', async () => {
    const expiresAt = new Date(Date.now() + 1500);
    const secret = await t.createToken(acme, ['statuses.read'], { expiresAt });
    for (let i = 0; i < 2; i++)
      expect((await t.gql(acme.subdomain, secret, VIEWER)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, expiresAt.getTime() - Date.now() + 50));
    const res = await t.gql(acme.subdomain, secret, VIEWER);
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.message).toMatch(/expired/);
  });

  it('answers 404 TENANT_NOT_FOUND for an unknown tenant, token or not', async () => {
    for (const secret of [token, undefined]) {
      const res = await t.gql('no-such-tenant', secret, VIEWER);
      expect(res.status).toBe(404);
      expect(codes(res)).toEqual(['TENANT_NOT_FOUND']);
    }
  });

  it('switches API access off (403 API_ACCESS_DISABLED) and on again, while the admin key keeps working', async () => {
    const tenant = await t.createTenant();
    const secret = await t.createToken(tenant, ['statuses.read']);
    const set = (enabled: boolean) =>
      t.gql(
        tenant.subdomain,
        tenant.adminKey,
        'mutation($e: Boolean!) { setApiAccess(enabled: $e) { apiEnabled } }',
        { e: enabled },
      );

    expect((await set(false)).body.data).toEqual({ setApiAccess: { apiEnabled: false } });
    const refused = await t.gql(tenant.subdomain, secret, VIEWER);
    expect(refused.status).toBe(403);
    expect(codes(refused)).toEqual(['API_ACCESS_DISABLED']);
    expect((await t.gql(tenant.subdomain, tenant.adminKey, VIEWER)).status).toBe(200);

    expect((await set(true)).body.data).toEqual({ setApiAccess: { apiEnabled: true } });
    expect((await t.gql(tenant.subdomain, secret, VIEWER)).status).toBe(200);
  });

  it('a new tenant starts with API access off', async () => {
    const tenant = await t.createTenant({ apiEnabled: false });
    const secret = await t.createToken(tenant, ['*']);
    expect((await t.gql(tenant.subdomain, secret, VIEWER)).status).toBe(403);
  });

  it('records last use without writing on every request', async () => {
    const secret = await t.createToken(acme, ['statuses.read']);
    const lastUsed = async () =>
      (
        await t.database.db
          .selectFrom('api_tokens')
          .select('last_used_at')
          .where('token_hash', '=', hashOf(secret))
          .executeTakeFirstOrThrow()
      ).last_used_at;
    expect(await lastUsed()).toBeNull();
    await t.gql(acme.subdomain, secret, VIEWER);
    await expect.poll(lastUsed).not.toBeNull();
    const first = await lastUsed();
    await t.gql(acme.subdomain, secret, VIEWER);
    await t.gql(acme.subdomain, secret, VIEWER);
    expect(await lastUsed()).toEqual(first);
  });

  it('masks unexpected errors: no stack, no detail, code INTERNAL_SERVER_ERROR', async () => {
    // A query the database rejects in a way no resolver expects: drop the table under the server.
    const tenant = await t.createTenant();
    await t.database.db.schema.alterTable('statuses').renameTo('statuses_away').execute();
    try {
      const res = await t.gql(tenant.subdomain, tenant.adminKey, '{ statuses { totalCount } }');
      expect(codes(res)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(JSON.stringify(res.body)).not.toMatch(/statuses_away|relation|stack|at /);
    } finally {
      await t.database.db.schema.alterTable('statuses_away').renameTo('statuses').execute();
    }
  });
});

import { hashSecret as hashOf } from '../src/auth/secrets.js';
import { encodeId } from '../src/ids.js';
