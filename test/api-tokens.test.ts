import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../src/auth/secrets.js';
import { codes, startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';
import { graphql } from './generated/gql.js';

const CREATE = graphql(`
  mutation CreateApiToken($input: CreateApiTokenInput!) {
    createApiToken(input: $input) {
      token
      apiToken {
        id
        name
        hint
        abilities
        expiresAt
        active
      }
    }
  }
`);
const LIST = graphql(`
  query ApiTokens {
    apiTokens(first: 100) {
      totalCount
      edges {
        node {
          id
          name
          abilities
          lastUsedAt
          revokedAt
        }
      }
    }
  }
`);

let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  t = await startTestApp();
  tenant = await t.createTenant();
});
afterAll(() => t.stop());

const admin = <T, V>(doc: Parameters<TestApp['gql']>[2], variables?: V) =>
  t.gql<any>(tenant.subdomain, tenant.adminKey, doc, variables as any);

describe('API tokens (admin plane)', () => {
  it('returns the plaintext once, stores only its SHA-256, and the token works', async () => {
    const res = await admin(CREATE, {
      input: { name: 'Zapier', abilities: ['statuses.read', 'contacts.read', 'statuses.read'] },
    });
    expect(res.body.errors).toBeUndefined();
    const { token, apiToken } = res.body.data.createApiToken;
    expect(token).toMatch(/^wmk_[A-Za-z0-9_-]{43}$/);
    expect(apiToken).toMatchObject({
      name: 'Zapier',
      abilities: ['contacts.read', 'statuses.read'],
      expiresAt: null,
      active: true,
    });
    expect(apiToken.hint).toBe(`${token.slice(0, 8)}…`);

    const rows = await t.database.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('tenant_id', '=', tenant.tenant.id)
      .execute();
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(token);
    expect(rows.some((r) => r.token_hash === hashSecret(token))).toBe(true);

    const listed = await admin(LIST);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect(JSON.stringify(listed.body)).not.toContain(hashSecret(token));
    expect(listed.body.data.apiTokens.edges.map((e: any) => e.node.name)).toContain('Zapier');

    const viewer = await t.gql(tenant.subdomain, token, '{ viewer { tokenName abilities } }');
    expect(viewer.body.data).toEqual({
      viewer: { tokenName: 'Zapier', abilities: ['contacts.read', 'statuses.read'] },
    });
  });

  it.each([
    [
      'an unknown ability',
      { name: 'x', abilities: ['contacts.read', 'contacts.fly'] },
      'abilities',
    ],
    ['no abilities', { name: 'x', abilities: [] }, 'abilities'],
    ['an empty name', { name: ' ', abilities: ['*'] }, 'name'],
    [
      'an expiry in the past',
      { name: 'x', abilities: ['*'], expiresAt: '2020-01-01T00:00:00Z' },
      'expiresAt',
    ],
  ])('refuses %s with BAD_USER_INPUT', async (_what, input, field) => {
    const before = await t.database.db
      .selectFrom('api_tokens')
      .select('id')
      .where('tenant_id', '=', tenant.tenant.id)
      .execute();
    const res = await admin(CREATE, { input });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors?.[0]?.extensions?.field).toBe(field);
    const after = await t.database.db
      .selectFrom('api_tokens')
      .select('id')
      .where('tenant_id', '=', tenant.tenant.id)
      .execute();
    expect(after.length).toBe(before.length);
  });

  it('refuses a malformed expiry as a variable error (400, as GraphQL over HTTP says)', async () => {
    const res = await admin(CREATE, {
      input: { name: 'x', abilities: ['*'], expiresAt: 'next tuesday' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toMatch(/ISO-8601/);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
  });

  it('changes abilities in force from the next request', async () => {
    const created = await admin(CREATE, {
      input: { name: 'Changing', abilities: ['statuses.read'] },
    });
    const { token, apiToken } = created.body.data.createApiToken;
    expect(
      (await t.gql(tenant.subdomain, token, '{ statuses { totalCount } }')).body.errors,
    ).toBeUndefined();

    const updated = await admin(
      'mutation($id: ID!) { updateApiToken(input: { id: $id, abilities: ["contacts.read"], name: "Renamed" }) { apiToken { name abilities } } }',
      { id: apiToken.id },
    );
    expect(updated.body.data.updateApiToken.apiToken).toEqual({
      name: 'Renamed',
      abilities: ['contacts.read'],
    });
    const refused = await t.gql(tenant.subdomain, token, '{ statuses { totalCount } }');
    expect(codes(refused)).toEqual(['FORBIDDEN']);
  });

  it('revokes a token: the next request is UNAUTHENTICATED, the list shows when', async () => {
    const created = await admin(CREATE, { input: { name: 'Leaked', abilities: ['*'] } });
    const { token, apiToken } = created.body.data.createApiToken;
    const revoked = await admin(
      'mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { active revokedAt } } }',
      { id: apiToken.id },
    );
    expect(revoked.body.data.revokeApiToken.apiToken.active).toBe(false);
    expect(revoked.body.data.revokeApiToken.apiToken.revokedAt).toBeTruthy();
    const res = await t.gql(tenant.subdomain, token, '{ viewer { kind } }');
    expect(res.status).toBe(401);
    expect(codes(res)).toEqual(['UNAUTHENTICATED']);
  });

  it('an expiry set by update is honoured', async () => {
    const created = await admin(CREATE, {
      input: {
        name: 'Short',
        abilities: ['*'],
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    const { token, apiToken } = created.body.data.createApiToken;
    expect(
      (await t.gql(tenant.subdomain, token, '{ viewer { tokenExpiresAt } }')).body.data?.viewer
        .tokenExpiresAt,
    ).toBe(apiToken.expiresAt);
    // Moved forward by an update, while the token is cached: it ends at the new time.
    const soon = new Date(Date.now() + 1500);
    const updated = await admin(
      'mutation($input: UpdateApiTokenInput!) { updateApiToken(input: $input) { apiToken { expiresAt } } }',
      { input: { id: apiToken.id, expiresAt: soon.toISOString() } },
    );
    expect(updated.body.data.updateApiToken.apiToken.expiresAt).toBe(soon.toISOString());
    expect((await t.gql(tenant.subdomain, token, '{ viewer { kind } }')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, soon.getTime() - Date.now() + 50));
    expect((await t.gql(tenant.subdomain, token, '{ viewer { kind } }')).status).toBe(401);
  });

  it("cannot reach another tenant's tokens", async () => {
    const other = await t.createTenant();
    const created = await t.gql<any>(other.subdomain, other.adminKey, CREATE, {
      input: { name: 'Theirs', abilities: ['*'] },
    });
    const id = created.body.data.createApiToken.apiToken.id;
    const revoke = await admin(
      'mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { id } } }',
      { id },
    );
    expect(codes(revoke)).toEqual(['NOT_FOUND']);
    const node = await admin('query($id: ID!) { node(id: $id) { id } }', { id });
    expect(node.body).toEqual({ data: { node: null } });
    const list = await admin(LIST);
    expect(list.body.data.apiTokens.edges.map((e: any) => e.node.name)).not.toContain('Theirs');
  });

  it('the admin key is never listed as a token', async () => {
    const list = await admin(LIST);
    for (const edge of list.body.data.apiTokens.edges) expect(edge.node.name).not.toMatch(/admin/i);
    expect(list.body.data.apiTokens.totalCount).toBe(list.body.data.apiTokens.edges.length);
  });
});
