import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../src/ids.js';
import { contactFixture } from './operations/contacts.js';
import { expectRestError, restCall, type RestCallOptions } from './helpers/rest-call.js';
import { snapshotTenant } from './helpers/rest-fixtures.js';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';

/**
 * The error statuses of the REST face that come from who is calling and where (API.md "The REST
 * face" and "Errors"): 401, 403 API_ACCESS_DISABLED, 403 FORBIDDEN, 404 TENANT_NOT_FOUND, 404
 * NOT_FOUND (a missing id, an unknown route) and 405. Each is JSON `{ message, code }`, no stack.
 * Input errors (400, 409, 413, 422, 429, 500) are in rest-input-errors.test.ts.
 */
let t: TestApp;
let tenant: TestTenant;
let token: string;

beforeAll(async () => {
  t = await startTestApp();
  tenant = await t.createTenant();
  token = await t.createToken(tenant, ['*']);
});
afterAll(() => t.stop());

const call = (secret: string | undefined, method: string, path: string, o?: RestCallOptions) =>
  restCall(t.url, tenant.subdomain, secret, method, path, o);

function expectUnauthenticated(res: Awaited<ReturnType<typeof call>>) {
  expectRestError(res, 401, 'UNAUTHENTICATED');
  expect(res.headers.get('www-authenticate')).toBe('Bearer');
}

describe('401 UNAUTHENTICATED, with WWW-Authenticate: Bearer', () => {
  const headersOf: [string, () => Record<string, string>][] = [
    ['no Authorization header', () => ({})],
    ['a wrong scheme', () => ({ authorization: `Basic ${token}` })],
    ['a string that is no token at all', () => ({ authorization: 'Bearer hello' })],
    ['an unknown token', () => ({ authorization: `Bearer wmk_${'x'.repeat(43)}` })],
  ];
  it.each(headersOf)('%s', async (_name, headers) => {
    expectUnauthenticated(await call(undefined, 'GET', '/contacts', { headers: headers() }));
  });

  it('a revoked token, and a write it attempts changes nothing', async () => {
    const secret = await t.createToken(tenant, ['*']);
    expect((await call(secret, 'GET', '/statuses')).status).toBe(200);
    const revoked = await t.gql(
      tenant.subdomain,
      tenant.adminKey,
      `mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { active } } }`,
      { id: await tokenIdOf(secret) },
    );
    expect(revoked.body.data?.revokeApiToken.apiToken.active).toBe(false);
    expectUnauthenticated(await call(secret, 'GET', '/statuses'));
    const before = await snapshotTenant({ t, tenant });
    expectUnauthenticated(
      await call(secret, 'POST', '/statuses', { body: { name: 'Late', color: '#123456' } }),
    );
    expect(await snapshotTenant({ t, tenant })).toEqual(before);
  });

  it('an expired token', async () => {
    const secret = await t.createToken(tenant, ['*'], { expiresAt: new Date(Date.now() - 1000) });
    const res = await call(secret, 'GET', '/contacts');
    expectUnauthenticated(res);
    expect(res.body.message).toMatch(/expired/);
  });

  it('the admin key of another tenant', async () => {
    const other = await t.createTenant();
    expectUnauthenticated(await call(other.adminKey, 'GET', '/contacts'));
  });
});

async function tokenIdOf(secret: string): Promise<string> {
  const { hashSecret } = await import('../src/auth/secrets.js');
  const { id } = await t.database.db
    .selectFrom('api_tokens')
    .select('id')
    .where('token_hash', '=', hashSecret(secret))
    .executeTakeFirstOrThrow();
  return encodeId('ApiToken', id);
}

describe('403', () => {
  it('API_ACCESS_DISABLED for a token while API access is off; the admin key still works', async () => {
    const off = await t.createTenant({ apiEnabled: false });
    const secret = await t.createToken(off, ['*']);
    const res = await restCall(t.url, off.subdomain, secret, 'GET', '/contacts');
    expectRestError(res, 403, 'API_ACCESS_DISABLED');
    const admin = await restCall(t.url, off.subdomain, off.adminKey, 'GET', '/contacts');
    expect(admin.status, admin.text).toBe(200);
  });

  it('FORBIDDEN naming the ability the token lacks', async () => {
    const secret = await t.createToken(tenant, ['statuses.read']);
    const res = await call(secret, 'GET', '/contacts');
    expectRestError(res, 403, 'FORBIDDEN');
    expect(res.body.message).toContain('contacts.read');
  });
});

describe('404', () => {
  it('TENANT_NOT_FOUND for an unknown tenant, token or not', async () => {
    for (const secret of [token, undefined]) {
      const res = await restCall(t.url, 'no-such-tenant', secret, 'GET', '/contacts');
      expectRestError(res, 404, 'TENANT_NOT_FOUND');
    }
  });

  it.each([
    'Contact',
    'Status',
    'Source',
    'Group',
    'Template',
    'MessageBot',
    'TemplateBot',
    'Message',
  ])('NOT_FOUND for a %s id that names nothing', async (typename) => {
    const path = {
      Contact: '/contacts',
      Status: '/statuses',
      Source: '/sources',
      Group: '/groups',
      Template: '/templates',
      MessageBot: '/message-bots',
      TemplateBot: '/template-bots',
      Message: '/messages',
    }[typename];
    const res = await call(token, 'GET', `${path}/${encodeId(typename, randomUUID())}`);
    expectRestError(res, 404, 'NOT_FOUND');
    expect(res.body.data).toBeUndefined();
  });

  it('NOT_FOUND for a write to a missing id, which creates nothing', async () => {
    const before = await snapshotTenant({ t, tenant });
    const none = encodeId('Contact', randomUUID());
    expectRestError(
      await call(token, 'PUT', `/contacts/${none}`, { body: { company: 'x' } }),
      404,
      'NOT_FOUND',
    );
    expectRestError(await call(token, 'DELETE', `/contacts/${none}`), 404, 'NOT_FOUND');
    expect(await snapshotTenant({ t, tenant })).toEqual(before);
  });

  it.each([
    ['GET', '/nothing-here'],
    ['GET', '/contacts/x/y/z'],
    ['DELETE', '/nope/123'],
    ['GET', '/contact'],
  ])('NOT_FOUND naming the docs for an unknown route: %s %s', async (method, path) => {
    const res = await call(token, method, path);
    expectRestError(res, 404, 'NOT_FOUND');
    expect(res.body.message).toContain(`/api/v1/${tenant.subdomain}/docs`);
  });
});

describe('405 with Allow', () => {
  it.each([
    ['DELETE', '/contacts', ['GET', 'POST']],
    ['PUT', '/statuses', ['GET', 'POST']],
    ['POST', '/contacts/{id}', ['GET', 'PUT', 'PATCH', 'DELETE']],
    ['POST', '/templates', ['GET']],
    ['DELETE', '/message-bots/{id}', ['GET']],
    ['GET', '/groups/{id}/contacts', ['POST', 'DELETE']],
    ['PUT', '/messages/text', ['POST']],
  ] as const)('%s %s', async (method, path, allowed) => {
    const id = await contactFixture({ t, tenant });
    const before = await snapshotTenant({ t, tenant });
    const res = await call(token, method, path.replace('{id}', id), {
      ...(method !== 'GET' && { body: {} }),
    });
    expect(res.status, res.text).toBe(405);
    const allow = (res.headers.get('allow') ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter((m) => m && m !== 'HEAD' && m !== 'OPTIONS');
    expect(allow.sort()).toEqual([...allowed].sort());
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.message).toBeTypeOf('string');
    expect(res.body.code).toBeTypeOf('string');
    expect(await snapshotTenant({ t, tenant })).toEqual(before);
  });
});

/**
 * Who is calling is settled before what they sent: API.md answers 401 for a request without a
 * valid token, 404 for an unknown tenant and 403 while API access is off, whatever the input.
 */
describe('the caller before the input', () => {
  const invalid: RestCallOptions = { body: { phone: 'call me' } }; // no first_name, no phone

  it('no token and an invalid body: 401', async () => {
    expectUnauthenticated(await call(undefined, 'POST', '/contacts', invalid));
  });

  it('a token of another tenant and an invalid query: 401', async () => {
    const other = await t.createTenant();
    const secret = await t.createToken(other, ['*']);
    expectUnauthenticated(await call(secret, 'GET', '/contacts', { query: { per_page: 500 } }));
  });

  it('an unknown tenant and an invalid query: 404 TENANT_NOT_FOUND', async () => {
    const res = await restCall(t.url, 'no-such-tenant', token, 'GET', '/contacts', {
      query: { per_page: 500 },
    });
    expectRestError(res, 404, 'TENANT_NOT_FOUND');
  });

  it('API access off and an invalid body: 403 API_ACCESS_DISABLED', async () => {
    const off = await t.createTenant({ apiEnabled: false });
    const secret = await t.createToken(off, ['*']);
    const res = await restCall(t.url, off.subdomain, secret, 'POST', '/contacts', invalid);
    expectRestError(res, 403, 'API_ACCESS_DISABLED');
  });
});
